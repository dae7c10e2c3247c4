// One task: each part (a batch of one stream's slots) runs on its own, so a
// part whose data is bad fails only its stream; the others still succeed.
import type { Task, TaskResult } from '../contract/tasks.js';
import type { WorkerContext } from './context.js';
import { pack } from './pack.js';
import { unpack } from './unpack.js';
import { packFiles } from './pack-files.js';

export async function runTask(ctx: WorkerContext, task: Task): Promise<TaskResult> {
  const kernels = await ctx.kernels(task.backends);
  return task.parts.map((part) => (part.op === 'pack' ? pack(ctx, kernels, part) : part.op === 'unpack' ? unpack(ctx, kernels, part) : packFiles(ctx, kernels, part)));
}
