// The import boundaries lint enforces (eslint.boundaries.js): each case lints
// one import as if it were written in a file of src/, with the real rule.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';

const config = (await import(pathToFileURL(join(ROOT, 'eslint.boundaries.js')).href)) as { boundaries: Linter.Config };

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, config.boundaries],
});

/** The boundary messages for `code` written in `file`. */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import boundaries', () => {
  it.each([
    ['src/resilience/retry.ts', "import { isBadInputError } from '../errors.js';"],
    ['src/resilience/retry.ts', "import type { HiveError } from '../errors/base.js';"],
    ['src/resilience/retry.ts', "export { pack } from '../api.js';"],
    ['src/resilience/retry.ts', "const m = await import('../engine/main/task-guard.js');"],
    ['src/resilience/retry.ts', "import { pack } from 'hivestream';"],
    ['src/engine/main/task-guard.ts', "import { fromRecords } from '../../ml/records.js';"],
    ['src/engine/backends/kernels.ts', "import { parseShard } from '../../convert/shard.js';"],
    ['src/api.ts', "import { main } from './cli/main.js';"],
    ['src/api.ts', "import { trackRun } from './metrics/process-metrics.js';"],
    ['src/engine/main/run.ts', "import { chunked } from '../../streams/chunked.js';"],
    ['src/util/prng.ts', "import { PROFILES } from '../datagen/profiles.js';"],
    ['src/errors/input.ts', "import { Prng } from '../datagen/prng.js';"],
    ['src/format/container.ts', "export * from '../bench/compare.js';"],
    ['src/io/sources.ts', "type T = import('../ml/records.js').Record;"],
  ])('%s may not: %s', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^boundaries\/imports: '.+' crosses a boundary: /);
  });

  it.each([
    ['src/resilience/retry.ts', "import { AbortError } from './errors.js';\nimport { EventEmitter } from 'node:events';"],
    ['src/engine/main/task-guard.ts', "import { CircuitBreaker } from '../../resilience/circuit-breaker.js';\nimport { isBadInputError } from '../../errors.js';"],
    ['src/engine/backends/kernels.ts', "import { WorkerPool } from '../main/pool.js';"],
    ['src/engine/main/faults.ts', "import { Prng } from '../../util/prng.js';"],
    ['src/api.ts', "import { observeRun } from './run-observer.js';"],
    ['src/metrics/process-metrics.ts', "import { observeRun } from '../run-observer.js';"],
    ['src/ml/records.ts', "import { pack } from '../api.js';\nimport { Prng } from '../datagen/prng.js';"],
    ['src/cli/main.ts', "import { convert } from '../convert/run.js';"],
    ['src/errors.ts', "export * from './resilience/errors.js';"],
  ])('%s may: %s', async (file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });
});
