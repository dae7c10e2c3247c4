// What the piscina-copy baseline's main thread and workers agree on.
import type { BackendChoice } from '../../engine/backends/select.js';

export interface CopyInit {
  backends: BackendChoice;
  lz4: boolean;
}

/** A task buffer: [digest 32][raw length u32][compressed length u32, 0 = stored raw][input][LZ4 output]. */
export const COPY_HEADER = 40;
