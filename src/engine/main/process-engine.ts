// The process-wide engine: created on first use with the options
// configureEngine() set (or the environment's, or defaults), shared by every
// run in the process.
import { Engine } from './engine.js';
import { engineDefaults, type EngineOptions } from './engine-options.js';

let shared: Engine | undefined;
let pendingOptions: EngineOptions | undefined;

/** The process-wide engine, created on first use. */
export function getEngine(): Engine {
  shared ??= new Engine(pendingOptions);
  return shared;
}

/**
 * Sets the process-wide engine's options. Before first use they apply to
 * the engine when it is created; afterwards the current engine is closed
 * (its runs fail with AbortError) and the next run starts a new one.
 */
export async function configureEngine(options: EngineOptions): Promise<void> {
  engineDefaults(options); // validates now
  pendingOptions = options;
  const old = shared;
  shared = undefined;
  if (old !== undefined) await old.close();
}

/** The process-wide engine, if one was started (without starting one). */
export function currentEngine(): Engine | undefined {
  return shared;
}

/** Stops the process-wide engine's threads now if no run is in flight (they start again on next use). */
export async function closeIdlePools(): Promise<void> {
  await shared?.closeIfIdle();
}
