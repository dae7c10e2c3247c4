// The progress line of a batch job on stderr (only on a terminal): files
// done of total, bytes, MB/s and ETA, redrawn at most every 200 ms.
import { performance } from 'node:perf_hooks';
import type { BatchProgress, ConvertEvent } from '../convert/run.js';
import { formatSize } from '../options.js';

const REDRAW_MS = 200;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function formatBatchProgress(p: BatchProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.bytesDone / secs : 0;
  const left = Math.max(0, p.bytesTotal - p.bytesDone);
  const eta = rate > 0 && p.bytesDone > 0 ? formatDuration((left / rate) * 1000) : '?';
  return `files ${p.filesDone}/${p.filesTotal}, ${formatSize(p.bytesDone)} of ${formatSize(p.bytesTotal)}, ${(rate / 1e6).toFixed(1)} MB/s, ETA ${eta}`;
}

export function batchProgress(stream: NodeJS.WriteStream, enabled: boolean): { onEvent?: (e: ConvertEvent) => void; done(): void } {
  if (!enabled || stream.isTTY !== true) return { done() {} };
  let shown = false;
  let last = 0;
  return {
    onEvent(e) {
      const now = performance.now();
      if (now - last < REDRAW_MS && e.progress.filesDone < e.progress.filesTotal) return;
      last = now;
      stream.write(`\r\x1b[Kconverting: ${formatBatchProgress(e.progress)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
