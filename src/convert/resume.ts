// What an earlier run of the same job already did: its settings must match
// this run's, and a file counts as done only when its input still has the
// size and modification time recorded and its output is still there with the
// size recorded.
import { lstat, stat } from 'node:fs/promises';
import type { JobLine, FileLine } from './manifest.js';
import { outputPath, type Target } from './paths.js';
import type { PlanEntry } from './plan.js';

export type JobSettings = Pick<JobLine, 'to' | 'compression' | 'chunkSize' | 'inputs' | 'outDir' | 'shard' | 'balance'>;

function show(v: JobSettings[keyof JobSettings]): string {
  return v === null ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Human-readable differences between an earlier run's settings and this one's ('' when none). */
export function settingsDiff(before: JobSettings, now: JobSettings): string {
  const diffs: string[] = [];
  const keys: Array<keyof JobSettings> = ['to', 'compression', 'chunkSize', 'shard', 'balance', 'outDir', 'inputs'];
  for (const k of keys) {
    const a = show(before[k] ?? null);
    const b = show(now[k] ?? null);
    if (a !== b) diffs.push(`${k} was ${a}, now ${b}`);
  }
  return diffs.join('; ');
}

export interface InputState {
  size: number;
  mtimeMs: number;
  /** Which file it is: a file swapped in later is not this one. */
  dev: number;
  ino: number;
}

/** Size and mtime of each entry's input (undefined when it cannot be read now: converting it will report why). */
export async function statInputs(entries: PlanEntry[]): Promise<Map<string, InputState>> {
  const states = new Map<string, InputState>();
  const BATCH = 64;
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const stats = await Promise.all(batch.map((e) => stat(e.path).catch(() => undefined)));
    batch.forEach((e, j) => {
      const st = stats[j];
      // Which file it is, as the walk saw it: one swapped in since (through a link) is not this one.
      if (st !== undefined) states.set(e.rel, { size: st.size, mtimeMs: st.mtimeMs, dev: e.identity?.dev ?? st.dev, ino: e.identity?.ino ?? st.ino });
    });
  }
  return states;
}

/** True when `line` records this entry as done and nothing has changed since. */
export async function stillDone(entry: PlanEntry, line: FileLine | undefined, input: InputState | undefined, realOut: string, to: Target): Promise<boolean> {
  if (line?.status !== 'done' || input === undefined) return false;
  if (line.output !== entry.output || line.inputSize !== input.size || line.inputMtimeMs !== input.mtimeMs) return false;
  const out = await lstat(outputPath(realOut, entry.output)).catch(() => undefined);
  const expected = to === 'hvs' ? line.storedBytes : line.bytes;
  return out !== undefined && out.isFile() && out.size === expected;
}
