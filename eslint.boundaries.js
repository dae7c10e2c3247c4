// Which folders of src/ may import which, checked by lint (rule
// `boundaries/imports`). Specifiers are resolved against the importing file,
// so `../ml/x.js` from src/engine/ and `../../ml/x.js` from
// src/engine/backends/ are the same import; type-only imports and import()
// count too, since they couple the code as much.
import path from 'node:path';

const ROOT = import.meta.dirname;

/**
 * `files`: folders or files (relative to the repository) the boundary applies
 * to; `onlyFrom`: the only repository paths they may import; `notFrom`: paths
 * they may not import.
 * @type {Array<{ name: string, files: string[], onlyFrom?: string[], notFrom?: string[] }>}
 */
const BOUNDARIES = [
  {
    name: 'src/resilience/ is a standalone library: it imports nothing from the rest of hivestream',
    files: ['src/resilience'],
    onlyFrom: ['src/resilience'],
  },
  {
    name: 'the core (format, io, engine, util, api, options, errors) imports nothing from ml, metrics, streams, bench, datagen, convert or cli',
    files: ['src/format', 'src/io', 'src/engine', 'src/util', 'src/api.ts', 'src/options.ts', 'src/run-observer.ts', 'src/errors.ts', 'src/errors'],
    // metrics/ hears of runs through the run-observer hook, not an import.
    notFrom: ['src/ml', 'src/metrics', 'src/streams', 'src/bench', 'src/datagen', 'src/convert', 'src/cli'],
  },
];

/** @type {(rel: string, entries: string[]) => boolean} */
const within = (rel, entries) => entries.some((e) => rel === e || rel.startsWith(`${e}/`));

/**
 * The repository path an import reaches, or undefined for a package or builtin.
 * @param {string} file
 * @param {string} specifier
 * @returns {string | undefined}
 */
function target(file, specifier) {
  if (specifier === 'hivestream' || specifier.startsWith('hivestream/')) return 'src/index.ts';
  if (!specifier.startsWith('.')) return undefined;
  return path.relative(ROOT, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
}

/**
 * The boundary an import from `from` (repository path) to `to` crosses, if any.
 * @param {string} from
 * @param {string} to
 * @returns {{ name: string, files: string[], onlyFrom?: string[], notFrom?: string[] } | undefined}
 */
function crossing(from, to) {
  for (const b of BOUNDARIES) {
    if (!within(from, b.files)) continue;
    if (b.onlyFrom !== undefined && !within(to, b.onlyFrom)) return b;
    if (b.notFrom !== undefined && within(to, b.notFrom)) return b;
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'keeps imports inside the folder boundaries of src/ (eslint.boundaries.js)' },
    schema: [],
    messages: {
      crosses: "'{{specifier}}' crosses a boundary: {{boundary}}",
    },
  },
  create(context) {
    const file = context.physicalFilename;
    const from = path.relative(ROOT, file).split(path.sep).join('/');
    if (!from.startsWith('src/')) return {};
    /** @param {import('estree').Node | null | undefined} source */
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const to = target(file, source.value);
      if (to === undefined) return;
      const boundary = crossing(from, to);
      if (boundary === undefined) return;
      context.report({ node: source, messageId: 'crosses', data: { specifier: source.value, boundary: boundary.name } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // typescript-eslint's node, unknown to ESLint's own types: `import('x').T`.
      /** @param {{ argument?: { literal?: import('estree').Node } }} node */
      TSImportType: (node) => check(node.argument?.literal),
    };
  },
};

/** The flat-config block eslint.config.js includes. */
export const boundaries = {
  files: ['src/**/*.ts'],
  plugins: { boundaries: { rules: { imports: importsRule } } },
  rules: { 'boundaries/imports': 'error' },
};
