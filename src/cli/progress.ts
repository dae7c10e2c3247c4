// A one-line progress display on stderr, only when stderr is a terminal.
import { formatSize, type Progress } from '../options.js';

export function progressLine(label: string, stream: NodeJS.WriteStream, enabled: boolean): { onProgress?: (p: Progress) => void; done(): void } {
  if (!enabled || stream.isTTY !== true) return { done() {} };
  let shown = false;
  return {
    onProgress(p) {
      const secs = p.elapsedMs / 1000;
      const rate = secs > 0 ? p.bytes / 1e6 / secs : 0;
      const of = p.totalBytes !== undefined && p.totalBytes > 0 ? ` of ${formatSize(p.totalBytes)} (${Math.min(100, (100 * (label === 'packing' ? p.bytes : p.storedBytes)) / p.totalBytes).toFixed(0)}%)` : '';
      stream.write(`\r\x1b[K${label}: ${formatSize(label === 'packing' ? p.bytes : p.storedBytes)}${of}, ${p.chunks} chunks, ${rate.toFixed(0)} MB/s`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
