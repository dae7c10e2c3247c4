// Per-call overhead of breaker + retry around an already-resolved async
// function: hivestream's controllers side by side with cockatiel's
// equivalent policy, and a bare call as the baseline, in one tinybench run.
//
//   npm run bench:resilience            (builds, then runs this file)
//   node bench/resilience.bench.mjs     (after npm run build)
//
// Each task iteration makes BATCH sequential awaited calls, so the timer's
// own cost (tinybench samples every iteration) is spread over many calls;
// ops/s below are calls per second.
import console from 'node:console';
import process from 'node:process';
import { Bench } from 'tinybench';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  retry as cockatielRetry,
  wrap as cockatielWrap,
} from 'cockatiel';
import { CircuitBreaker, ErrorRecoveryCoordinator, Retry, wrap } from '../dist/index.js';

const BATCH = 1000;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);

// The operation under test: an async function that resolves at once.
const op = async () => 42;

const cockatiel = cockatielWrap(
  cockatielRetry(handleAll, { maxAttempts: 3 }),
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
);

// The same policy as cockatiel's: retry (3 attempts) around a breaker that
// trips on 5 consecutive failures (rate tripping off, as ConsecutiveBreaker has none).
const oursWrap = wrap(
  new Retry({ maxAttempts: 3 }),
  new CircuitBreaker({ failureThreshold: 5, failureRateThreshold: null, openMs: 10_000 }),
);

// The coordinator as the engine will use it: defaults, so the breaker also
// keeps its failure-rate window (one clock read per call).
const oursCoordinator = new ErrorRecoveryCoordinator({ breaker: { openMs: 10_000 } });

const tasks = {
  'baseline (bare await)': async () => {
    for (let i = 0; i < BATCH; i++) await op();
  },
  'cockatiel wrap(retry, breaker)': async () => {
    for (let i = 0; i < BATCH; i++) await cockatiel.execute(op);
  },
  'hivestream wrap(Retry, CircuitBreaker)': async () => {
    for (let i = 0; i < BATCH; i++) await oursWrap.execute(op);
  },
  'hivestream ErrorRecoveryCoordinator': async () => {
    for (let i = 0; i < BATCH; i++) await oursCoordinator.executeWithRecovery(op);
  },
};

const bench = new Bench({ name: 'resilience per-call overhead', time: TIME_MS, warmup: true, throws: true });
for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
await bench.run();

/**
 * Calls per second from a task's mean iteration time.
 * @param {import('tinybench').Task} task
 */
function opsPerSecond(task) {
  const r = task.result;
  if (r === undefined || !('period' in r)) throw new Error(`${task.name}: no result`);
  return (BATCH * 1000) / r.period;
}

const results = Object.fromEntries(bench.tasks.map((t) => [t.name, opsPerSecond(t)]));
const ref = results['cockatiel wrap(retry, breaker)'];
const base = results['baseline (bare await)'];
const rows = Object.entries(results).map(([name, ops]) => ({
  task: name,
  'ops/s': Math.round(ops).toLocaleString('en-US'),
  'ns/call': (1e9 / ops).toFixed(1),
  'overhead ns/call': name.startsWith('baseline') ? '-' : (1e9 / ops - 1e9 / base).toFixed(1),
  'ours/cockatiel': name.startsWith('hivestream') ? (ops / ref).toFixed(2) : '',
}));
console.log(`node ${process.version}, ${BATCH} calls per iteration, ${TIME_MS} ms per task`);
console.table(rows);
// One machine-readable line, for collecting medians over several runs.
console.log(`RESULT ${JSON.stringify(results)}`);
