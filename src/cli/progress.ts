// Progress on stderr, for people and for machines: --progress=
//   auto   a redrawn line on a terminal, nothing otherwise (the default)
//   tty    the redrawn line, even when stderr is not a terminal
//   plain  one line every --progress-interval (5 s), for CI and pod logs
//   json   NDJSON events (start, progress every --progress-interval (1 s), end)
//   none   nothing
// Fallback notices (a slower back end than the machine could have) go through
// here too, so that with --progress=json every stderr line stays JSON.
import { performance } from 'node:perf_hooks';
import { ValidationError } from '../errors.js';
import { formatSize } from '../options.js';
import { flag, int, str, type OptionSpec, type ParsedArgs } from './command.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'none';
const MODES = ['auto', 'tty', 'plain', 'json', 'none'] as const;

export const PROGRESS_OPTIONS: OptionSpec = { progress: { type: 'string' }, 'progress-interval': { type: 'string' } };
export const PROGRESS_HELP = `      --progress <mode>  auto (default: a line on a terminal, else nothing), tty,
                         plain (a line every interval, for logs), json (NDJSON
                         events on stderr: start, progress, end), none
      --progress-interval <ms>  plain and json: time between lines (default 5000 plain, 1000 json)`;

const TTY_REDRAW_MS = 200;
const DEFAULT_INTERVAL_MS: Record<ProgressMode, number> = { tty: TTY_REDRAW_MS, plain: 5000, json: 1000, none: 0 };

export interface ProgressSample {
  bytesDone: number;
  bytesTotal: number | undefined;
  elapsedMs: number;
  chunks?: number;
  filesDone?: number;
  filesTotal?: number;
}

export interface ProgressSettings {
  mode: ProgressMode;
  intervalMs: number;
}

/** Notices follow the last progress mode chosen (the CLI runs one command per process). */
let noticesAsJson = false;

/** For main, before the command parses its options: a failure in parsing them is a notice too. */
export function setNoticesAsJson(json: boolean): void {
  noticesAsJson = json;
}

/** --progress and --progress-interval; --quiet means none unless --progress is given. */
export function resolveProgress(args: ParsedArgs, stream: NodeJS.WriteStream): ProgressSettings {
  const given = str(args, 'progress');
  if (given !== undefined && !(MODES as readonly string[]).includes(given)) {
    throw new ValidationError('--progress', `${JSON.stringify(given)} is not one of ${MODES.join(', ')}`);
  }
  const chosen = given ?? (flag(args, 'quiet') ? 'none' : 'auto');
  const mode: ProgressMode = chosen === 'auto' ? (stream.isTTY === true ? 'tty' : 'none') : (chosen as ProgressMode);
  noticesAsJson = mode === 'json';
  return { mode, intervalMs: int(args, 'progress-interval') ?? DEFAULT_INTERVAL_MS[mode] };
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

interface Figures {
  mbPerSec: number;
  percent: number | undefined;
  etaSeconds: number | undefined;
}

function figures(s: ProgressSample): Figures {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? s.bytesDone / secs : 0;
  const known = s.bytesTotal !== undefined && s.bytesTotal > 0;
  const left = known ? Math.max(0, (s.bytesTotal ?? 0) - s.bytesDone) : undefined;
  return {
    mbPerSec: rate / 1e6,
    percent: known ? Math.min(100, (100 * s.bytesDone) / (s.bytesTotal ?? 1)) : undefined,
    etaSeconds: left !== undefined && rate > 0 && s.bytesDone > 0 ? left / rate : undefined,
  };
}

/** One line of figures: files, bytes of total (percent), MB/s, ETA, chunks. */
export function formatProgress(s: ProgressSample): string {
  const f = figures(s);
  const files = s.filesTotal === undefined ? '' : `files ${s.filesDone ?? 0}/${s.filesTotal}, `;
  const of = s.bytesTotal === undefined ? '' : ` of ${formatSize(s.bytesTotal)}${s.filesTotal === undefined && f.percent !== undefined ? ` (${f.percent.toFixed(0)}%)` : ''}`;
  const eta = s.bytesTotal === undefined ? '' : `, ETA ${f.etaSeconds === undefined ? '?' : formatDuration(f.etaSeconds * 1000)}`;
  const chunks = s.chunks === undefined ? '' : `, ${s.chunks} chunks`;
  return `${files}${formatSize(s.bytesDone)}${of}, ${f.mbPerSec.toFixed(1)} MB/s${eta}${chunks}`;
}

const round = (v: number | undefined, digits: number): number | null => (v === undefined ? null : Number(v.toFixed(digits)));

/** A progress event as one JSON object (bytes, MB/s, ETA; files for batch jobs). */
export function progressEvent(type: 'progress' | 'end', operation: string, s: ProgressSample): Record<string, unknown> {
  const f = figures(s);
  return {
    type,
    operation,
    time: new Date().toISOString(),
    bytesDone: s.bytesDone,
    bytesTotal: s.bytesTotal ?? null,
    percent: round(f.percent, 1),
    mbPerSec: round(f.mbPerSec, 1),
    etaSeconds: round(f.etaSeconds, 1),
    elapsedSeconds: round(s.elapsedMs / 1000, 3),
    ...(s.chunks === undefined ? {} : { chunks: s.chunks }),
    ...(s.filesTotal === undefined ? {} : { filesDone: s.filesDone ?? 0, filesTotal: s.filesTotal }),
  };
}

export interface ProgressReporter {
  update(s: ProgressSample): void;
  /** The last figures, and the error when the run failed. Idempotent. */
  end(s: ProgressSample | undefined, error?: { code: string; message: string; exitCode: number }): void;
}

/** `label` names the work in text lines ("packing"), `operation` in JSON events ("pack"). */
export function progressReporter(operation: string, label: string, settings: ProgressSettings, stream: NodeJS.WriteStream, now = (): number => performance.now()): ProgressReporter {
  const { mode, intervalMs } = settings;
  let last: number | undefined;
  let shown = false;
  let ended = false;
  const due = (): boolean => {
    const t = now();
    if (last !== undefined && t - last < intervalMs) return false;
    last = t;
    return true;
  };
  if (mode === 'json') stream.write(JSON.stringify({ type: 'start', operation, time: new Date().toISOString() }) + '\n');
  // Plain lines start one interval in: a short run logs only its end.
  if (mode === 'plain') last = now();
  return {
    update(s) {
      if (mode === 'none' || ended || !due()) return;
      if (mode === 'tty') {
        stream.write(`\r\x1b[K${label}: ${formatProgress(s)}`);
        shown = true;
      } else if (mode === 'plain') {
        stream.write(`${label}: ${formatProgress(s)}\n`);
      } else {
        stream.write(JSON.stringify(progressEvent('progress', operation, s)) + '\n');
      }
    },
    end(s, error) {
      if (ended) return;
      ended = true;
      if (mode === 'tty' && shown) stream.write('\r\x1b[K');
      if (mode === 'plain' && s !== undefined) stream.write(`${label}: ${error === undefined ? 'done' : `failed (${error.code})`}, ${formatProgress(s)}\n`);
      if (mode === 'json') {
        const figuresPart = s === undefined ? { type: 'end', operation, time: new Date().toISOString() } : progressEvent('end', operation, s);
        stream.write(JSON.stringify({ ...figuresPart, ok: error === undefined, ...(error === undefined ? {} : { error }) }) + '\n');
      }
    },
  };
}

/** A notice line on stderr (one JSON event with --progress=json). */
export function writeNotice(stream: NodeJS.WriteStream, kind: string, text: string, details: Record<string, unknown>): void {
  if (noticesAsJson) stream.write(JSON.stringify({ type: kind, time: new Date().toISOString(), message: text, ...details }) + '\n');
  else stream.write(`${stream.isTTY === true ? '\r\x1b[K' : ''}hivestream: ${text}\n`);
}
