// Test module: functions that fail on the chunk `params.at`, each its own way.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Throws on chunk `params.at`; returns its sequence, or the chunk itself with `params.echo`. */
export function throws(bytes, { sequence, params }) {
  if (sequence === params.at) throw Object.assign(new RangeError(`no good: chunk ${sequence}`), { code: 'E_MINE' });
  return params.echo ? bytes : sequence;
}

/** Transient on the first attempt only (a marker file remembers it across workers). */
export function flaky(bytes, { sequence, params }) {
  const mark = join(params.dir, `seen-${sequence}`);
  if (sequence === params.at && !existsSync(mark)) {
    writeFileSync(mark, '');
    throw Object.assign(new Error('try again'), { transient: true });
  }
  return sequence;
}

export function alwaysFlaky(bytes, { sequence, params }) {
  if (sequence === params.at) throw Object.assign(new Error('still failing'), { transient: true });
  return sequence;
}

/** Waits until its signal aborts (a well-behaved slow call). */
export async function slow(bytes, { sequence, signal, params }) {
  if (sequence === params.at) await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  return sequence;
}

/** Never returns (a call that ignores its signal and blocks the thread). */
export function hangs(bytes, { sequence, params }) {
  if (sequence === params.at) for (;;);
  return sequence;
}

/** Kills its worker on the first attempt only, or on every attempt (`params.always`). */
export function crashes(bytes, { sequence, params }) {
  const mark = join(params.dir, `crashed-${sequence}`);
  if (sequence === params.at && (params.always || !existsSync(mark))) {
    writeFileSync(mark, '');
    process.exit(3);
  }
  return sequence;
}

/** An object, where a sink wants bytes. */
export function object(bytes, { sequence }) {
  return { sequence };
}

export const notAFunction = 42;
