// A worker module for `process`: a byte-level tokenizer (ByT5's scheme:
// pad 0, end of sequence 1, unknown 2, byte b is token b + 3) that turns
// text into int32 token ids, one sequence per line: a line's bytes, then the
// end-of-sequence id ("\r\n" and "\n" both end a line). Chunks must not split
// lines (--boundary newline), so that a line's tokens stay together.
//
//   hivestream process corpus.txt --module examples/process/tokenize.mjs \
//     --boundary newline -o corpus.tokens.i32
//
// writes the ids as little-endian int32, in order (a sink takes the bytes of
// a typed array as they are).

export const PAD = 0;
export const EOS = 1;
export const UNK = 2;
export const OFFSET = 3;

export default function tokenize(bytes) {
  const ids = new Int32Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) ids[n++] = EOS;
    else if (b === 0x0d && bytes[i + 1] === 0x0a) continue;
    else ids[n++] = b + OFFSET;
  }
  return n === ids.length ? ids : ids.slice(0, n);
}

/** The text of a run of token ids (the inverse, for tests and inspection). */
export function detokenize(ids) {
  const out = [];
  for (const id of ids) {
    if (id === EOS) out.push(0x0a);
    else if (id >= OFFSET && id < OFFSET + 256) out.push(id - OFFSET);
  }
  return Buffer.from(out);
}
