// The engine's settings: threads, ring memory, idle period, admission. From
// configureEngine() (or `new Engine(options)`), else environment variables,
// else defaults sized for the machine.
import { availableParallelism } from 'node:os';
import { ValidationError } from '../../errors.js';
import { parseSize } from '../../options.js';
import type { ResilienceOptions } from './task-guard.js';

export interface EngineOptions {
  /** Worker threads (default: available parallelism, or HIVESTREAM_ENGINE_THREADS). */
  threads?: number;
  /** Ring memory every stream's slots come from, bytes or text ("512MiB"; default 512 MiB, or HIVESTREAM_ENGINE_MEMORY). */
  memory?: number | string;
  /** Quiet period after which an idle engine stops its threads and frees its ring, in ms (default 10 000, or HIVESTREAM_ENGINE_IDLE_MS). */
  idleMs?: number;
  /** Runs admitted at once: a fixed number, or 'adaptive' (default: learned from task latency). */
  maxRuns?: number | 'adaptive';
  /** Runs that may wait for admission before OverloadedError (default 1024). */
  maxQueuedRuns?: number;
  /** Run a tiny task on the main thread when nothing else runs (default true). */
  inline?: boolean;
  /** Breaker, retry, task deadline, patience and fault injection of every run without its own (default: the engine's). */
  resilience?: ResilienceOptions;
}

export interface EngineSettings {
  threads: number;
  memory: number;
  controlSlots: number;
  idleMs: number;
  maxRuns: number | 'adaptive';
  /** Bounds of the adaptive limit. */
  minRuns: number;
  maxRunsCap: number;
  maxQueuedRuns: number;
  inline: boolean;
  resilience: ResilienceOptions;
}

const MiB = 1 << 20;
const MAX_MEMORY = 3 * 1024 * MiB;
/** Longest timer Node keeps (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function wholeNumber(field: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ValidationError(field, `${String(value)} is not a whole number from ${min} to ${max}`);
  }
  return n;
}

export function engineDefaults(o: EngineOptions): EngineSettings {
  const threads = wholeNumber('threads', o.threads ?? env('HIVESTREAM_ENGINE_THREADS') ?? availableParallelism(), 1, 256);
  const memoryValue = o.memory ?? env('HIVESTREAM_ENGINE_MEMORY') ?? 512 * MiB;
  const memory = typeof memoryValue === 'string' ? parseSize(memoryValue, 'memory') : memoryValue;
  wholeNumber('memory', memory, 16 * MiB, MAX_MEMORY);
  const idleMs = wholeNumber('idleMs', o.idleMs ?? env('HIVESTREAM_ENGINE_IDLE_MS') ?? env('HIVESTREAM_POOL_IDLE_MS') ?? 10_000, 0, MAX_TIMER_MS);
  const maxRuns = o.maxRuns === undefined || o.maxRuns === 'adaptive' ? 'adaptive' : wholeNumber('maxRuns', o.maxRuns, 1, 100_000);
  const maxQueuedRuns = wholeNumber('maxQueuedRuns', o.maxQueuedRuns ?? 1024, 0, 1_000_000);
  if (o.inline !== undefined && typeof o.inline !== 'boolean') throw new ValidationError('inline', `${String(o.inline)} is not true or false`);
  const minRuns = Math.max(4, threads * 2);
  return { threads, memory, controlSlots: 16384, idleMs, maxRuns, minRuns, maxRunsCap: Math.max(minRuns, 1024), maxQueuedRuns, inline: o.inline ?? true, resilience: o.resilience ?? {} };
}
