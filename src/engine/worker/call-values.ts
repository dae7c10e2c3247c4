// What the caller's function returned for a chunk, made ready to cross to the
// main thread. Bytes of the chunk itself (the identity, a filter's subarray)
// stay in the ring: only where and how many cross. Anything else crosses by
// structured clone, copied to a buffer of its own first when it is a view of
// part of a larger one (a clone copies the whole underlying buffer), or, when
// the caller asked, moved (transferred) when it owns its whole buffer.
import type { CallSpec, CallValue } from '../contract/tasks.js';

/** Buffers the current task moves to the main thread with its reply (worker/entry.ts). */
const moving = new Set<ArrayBuffer>();

/** Takes the buffers to move with the task's reply (and forgets them). */
export function takeTransfers(): ArrayBuffer[] {
  const list = [...moving];
  moving.clear();
  return list;
}

/** A copy of the view's bytes in a buffer of its own, as the same kind of view (Buffers as Uint8Array). */
function ownCopy(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.byteLength);
  bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  if (view instanceof Uint8Array) return bytes;
  const Ctor = view.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new Ctor(bytes.buffer);
}

function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return `a ${typeof v}`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

/**
 * The value to send for one chunk's result, or the reason it cannot be one.
 * `chunk` is the view the function was given: of the ring (`ring`), or of a
 * spilled chunk's own buffer.
 */
export function toValue(r: unknown, chunk: Uint8Array, ring: SharedArrayBuffer, spec: CallSpec): CallValue | string {
  if (r === undefined || r === null) return null;
  if (typeof r === 'string') return { value: spec.results === 'bytes' ? new TextEncoder().encode(r) : r };
  if (r instanceof ArrayBuffer) {
    if (spec.transfer) moving.add(r);
    return { value: spec.results === 'bytes' ? new Uint8Array(r) : r };
  }
  if (!ArrayBuffer.isView(r)) {
    if (spec.results === 'bytes') return `it returned ${describe(r)}; a sink takes bytes (a Uint8Array or Buffer) or strings`;
    return { value: r };
  }
  let view: ArrayBufferView = spec.results === 'bytes' && !(r instanceof Uint8Array) ? new Uint8Array(r.buffer, r.byteOffset, r.byteLength) : r;
  if (view.buffer === chunk.buffer) {
    // Bytes of the chunk itself stay where they are, in the ring.
    const inside = view.byteOffset >= chunk.byteOffset && view.byteOffset + view.byteLength <= chunk.byteOffset + chunk.byteLength;
    if (inside && view instanceof Uint8Array && chunk.buffer === ring) return { at: view.byteOffset, length: view.byteLength };
    return { value: ownCopy(view) };
  }
  // A view of someone else's shared memory would stay shared: copy it.
  if (!(view.buffer instanceof ArrayBuffer)) return { value: ownCopy(view) };
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
  if (!whole) view = ownCopy(view);
  else if (spec.transfer) moving.add(view.buffer);
  return { value: view };
}
