// One task: each part (a batch of one stream's slots) runs on its own, so a
// part whose data is bad fails only its stream; the others still succeed. A
// part whose calls failed transiently fails the whole task, which the guard
// then retries (every part of a task is idempotent).
import type { PartResult, Task, TaskPart, TaskResult, TransientFailure } from '../contract/tasks.js';
import { callRaw, callVerified } from './call.js';
import type { Kernels, WorkerContext } from './context.js';
import { pack } from './pack.js';
import { unpack } from './unpack.js';
import { packFiles } from './pack-files.js';

export async function runTask(ctx: WorkerContext, task: Task): Promise<TaskResult> {
  const kernels = await ctx.kernels(task.backends);
  const started = Date.now();
  const results: PartResult[] = [];
  for (const part of task.parts) {
    const r = await runPart(ctx, kernels, part, started);
    if (r !== null && r.kind === 'transient') return r;
    results.push(r);
  }
  return results;
}

function runPart(ctx: WorkerContext, kernels: Kernels, part: TaskPart, started: number): PartResult | TransientFailure | Promise<PartResult | TransientFailure> {
  if (part.op === 'pack') return pack(ctx, kernels, part);
  if (part.op === 'call') return callRaw(ctx, part, started + part.call.timeoutMs);
  if (part.op === 'pack-files') return packFiles(ctx, kernels, part);
  const verified = unpack(ctx, kernels, part);
  if (verified !== null || part.call === undefined) return verified;
  return callVerified(ctx, part, part.call, started + part.call.timeoutMs);
}
