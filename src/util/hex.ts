// Bytes as lowercase hex (digests in reports and error messages). A view
// over shared memory is read in place, not copied.
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
