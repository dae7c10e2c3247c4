// Generates the WAT text of the SHA-256 kernel: a 4-lane SIMD128 block
// function (one message per 32-bit lane) and a scalar one for lone inputs.
// The 64 rounds and the message schedule are unrolled here, in JS, because
// WAT has no macros and a loop over rounds would keep W in memory.

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// Fixed layout of the low memory; everything from HEAP_BASE on belongs to
// the JS side (lane buffers, digest output), which reads it from `heapBase`.
const STATE4 = 0; // 8 x v128: word i of lanes 0..3 at STATE4 + 16 i
const STATE1 = 128; // 8 x i32: the scalar state
const KVEC = 256; // 64 x v128: K[t] splatted, so K + W is one load and one add
const HEAP_BASE = 1280;

/** @param {number} n @returns {number[]} */
const range = (n) => [...Array(n).keys()];
/** @param {number} n */
const hex = (n) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
/** @param {string} name */
const get = (name) => `(local.get $${name})`;
/** @param {string[]} names @param {string} type */
const locals = (names, type) => names.map((n) => `(local $${n} ${type})`).join(' ');
/** @param {number} n */
const leBytes = (n) => [0, 8, 16, 24].map((s) => `\\${((n >>> s) & 0xff).toString(16).padStart(2, '0')}`).join('');

// Byte patterns for i8x16.shuffle: the interleaves of a 4x4 transpose of
// 32-bit words (V8 lowers these to punpck*).
const LO32 = '0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23';
const HI32 = '8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31';
const LO64 = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
const HI64 = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
/** @param {string} pattern @param {string} a @param {string} b */
const shuffle = (pattern, a, b) => `(i8x16.shuffle ${pattern} ${a} ${b})`;
// Big-endian word swap as a swizzle with constant indices: V8 emits one
// pshufb, where the equivalent one-input i8x16.shuffle became six instructions.
/** @param {string} x */
const bswap = (x) => `(i8x16.swizzle ${x} (v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12))`;

/**
 * The same round code serves both kernels through these operator sets; each
 * builds a folded WAT expression from operand expressions.
 * @typedef {object} Ops
 * @property {(...xs: string[]) => string} add
 * @property {(...xs: string[]) => string} xor
 * @property {(x: string, n: number) => string} shr
 * @property {(x: string, n: number) => string[]} rot the terms whose xor is rotr(x, n)
 * @property {(e: string, f: string, g: string) => string} ch
 * @property {(a: string, b: string) => string} maj Maj(a, b, c) given $bc = b ^ c; leaves a ^ b in $ab
 * @property {(t: number) => string} k
 */

/** @type {Ops} */
const vec = {
  add: (...xs) => xs.reduce((a, b) => `(i32x4.add ${a} ${b})`),
  xor: (...xs) => xs.reduce((a, b) => `(v128.xor ${a} ${b})`),
  shr: (x, n) => `(i32x4.shr_u ${x} (i32.const ${n}))`,
  // SIMD128 has no rotate: rotr = shr ^ shl (disjoint bits, so xor does what
  // or would, and a sigma becomes one flat xor chain of six shifts).
  rot: (x, n) => [vec.shr(x, n), `(i32x4.shl ${x} (i32.const ${32 - n}))`],
  ch: (e, f, g) => `(v128.bitselect ${f} ${g} ${e})`,
  // Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)); this round's a ^ b is the next
  // round's b ^ c, so Maj costs three operations, not four.
  maj: (a, b) => `(v128.xor ${b} (v128.and (local.tee $ab (v128.xor ${a} ${b})) (local.get $bc)))`,
  k: (t) => `(v128.load offset=${KVEC + 16 * t} (i32.const 0))`,
};
/** @type {Ops} */
const sca = {
  add: (...xs) => xs.reduce((a, b) => `(i32.add ${a} ${b})`),
  xor: (...xs) => xs.reduce((a, b) => `(i32.xor ${a} ${b})`),
  shr: (x, n) => `(i32.shr_u ${x} (i32.const ${n}))`,
  rot: (x, n) => [`(i32.rotr ${x} (i32.const ${n}))`],
  ch: (e, f, g) => `(i32.xor ${g} (i32.and ${e} (i32.xor ${f} ${g})))`,
  maj: (a, b) => `(i32.xor ${b} (i32.and (local.tee $ab (i32.xor ${a} ${b})) (local.get $bc)))`,
  k: (t) => `(i32.const ${hex(K[t])})`,
};

/** @param {Ops} o @param {string} x @param {[number, number, number]} r */
const bigSigma = (o, x, [r1, r2, r3]) => o.xor(...o.rot(x, r1), ...o.rot(x, r2), ...o.rot(x, r3));
/** @param {Ops} o @param {string} x @param {[number, number, number]} r */
const smallSigma = (o, x, [r1, r2, s]) => o.xor(...o.rot(x, r1), ...o.rot(x, r2), o.shr(x, s));

/**
 * 64 unrolled rounds over locals s0..s7 (renamed each round, never moved)
 * and the 16-word window w0..w15 of the message schedule. `loads[j]`, if
 * given, is emitted just before round 4j, the first to need those words: V8
 * keeps loads in program order, so loading late keeps them out of spill slots.
 * @param {Ops} o
 * @param {string[][]} [loads]
 */
function rounds(o, loads = []) {
  const out = [];
  const s = (i, t) => `s${(((i - t) % 8) + 8) % 8}`;
  for (let t = 0; t < 64; t++) {
    if (t % 4 === 0 && loads[t / 4]) out.push(...loads[t / 4]);
    const w = `w${t % 16}`;
    if (t >= 16) {
      const w2 = get(`w${(t - 2) % 16}`);
      const w7 = get(`w${(t - 7) % 16}`);
      const w15 = get(`w${(t - 15) % 16}`);
      out.push(`(local.set $${w} ${o.add(get(w), w7, smallSigma(o, w15, [7, 18, 3]), smallSigma(o, w2, [17, 19, 10]))})`);
    }
    const [a, b, , d, e, f, g, h] = range(8).map((i) => s(i, t));
    // Each sum adds its sigma last: the sigma is the longest path from e (or
    // a, or W[t-2]), so the other terms are ready and waiting by then.
    const t1 = o.add(get(h), o.add(o.k(t), get(w)), o.ch(get(e), get(f), get(g)), bigSigma(o, get(e), [6, 11, 25]));
    out.push(
      `(local.set $t1 ${t1})`,
      `(local.set $${d} ${o.add(get(d), get('t1'))})`,
      `(local.set $${h} ${o.add(get('t1'), o.maj(get(a), get(b)), bigSigma(o, get(a), [2, 13, 22]))})`,
      `(local.set $bc (local.get $ab))`,
    );
  }
  return out.join('\n      ');
}

/**
 * Adds the block's result to the state in memory and stores it back.
 * @param {'i32x4' | 'i32'} add @param {number} base @param {number} size @param {'v128' | 'i32'} type
 */
function feedForward(add, base, size, type) {
  return range(8)
    .map((i) => {
      const at = `offset=${base + size * i} (i32.const 0)`;
      return `(local.set $s${i} (${add}.add (local.get $s${i}) (${type}.load ${at})))
        (${type}.store ${at} (local.get $s${i}))`;
    })
    .join('\n        ');
}

function blocks4() {
  const loads = range(4).map((j) => [
    // One 16-byte load per lane gives words 4j..4j+3 of that lane's block;
    // byte-swap them, then a 4x4 transpose turns rows (lanes) into W vectors.
    ...range(4).map((k) => `(local.set $r${k} ${bswap(`(v128.load offset=${16 * j} (local.get $p${k}))`)})`),
    `(local.set $x0 ${shuffle(LO32, get('r0'), get('r1'))})`,
    `(local.set $x1 ${shuffle(HI32, get('r0'), get('r1'))})`,
    `(local.set $x2 ${shuffle(LO32, get('r2'), get('r3'))})`,
    `(local.set $x3 ${shuffle(HI32, get('r2'), get('r3'))})`,
    `(local.set $w${4 * j} ${shuffle(LO64, get('x0'), get('x2'))})`,
    `(local.set $w${4 * j + 1} ${shuffle(HI64, get('x0'), get('x2'))})`,
    `(local.set $w${4 * j + 2} ${shuffle(LO64, get('x1'), get('x3'))})`,
    `(local.set $w${4 * j + 3} ${shuffle(HI64, get('x1'), get('x3'))})`,
  ]);
  return `
  ;; Runs $n 64-byte blocks of four messages in lock step, lane k reading
  ;; from $pk. The state lives at STATE4 between blocks and calls, so the
  ;; feed-forward reads it back instead of keeping 8 more vectors live.
  (func $blocks4 (export "blocks4") (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $n i32)
    ${locals(range(8).map((i) => `s${i}`), 'v128')}
    ${locals(range(16).map((i) => `w${i}`), 'v128')}
    ${locals(['t1', 'ab', 'bc', 'r0', 'r1', 'r2', 'r3', 'x0', 'x1', 'x2', 'x3'], 'v128')}
    ${range(8).map((i) => `(local.set $s${i} (v128.load offset=${STATE4 + 16 * i} (i32.const 0)))`).join('\n    ')}
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $bc (v128.xor (local.get $s1) (local.get $s2)))
      ${rounds(vec, loads)}
        ${feedForward('i32x4', STATE4, 16, 'v128')}
        ${range(4).map((k) => `(local.set $p${k} (i32.add (local.get $p${k}) (i32.const 64)))`).join(' ')}
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block))))`;
}

function blocks1() {
  // SIMD128 has the byte swap that scalar wasm lacks: one swizzle, four extracts.
  const loads = range(4).map((j) => [
    `(local.set $r ${bswap(`(v128.load offset=${16 * j} (local.get $p))`)})`,
    ...range(4).map((i) => `(local.set $w${4 * j + i} (i32x4.extract_lane ${i} (local.get $r)))`),
  ]);
  return `
  ;; The scalar kernel: $n blocks of one message, state at STATE1.
  (func $blocks1 (export "blocks1") (param $p i32) (param $n i32)
    ${locals(range(8).map((i) => `s${i}`), 'i32')}
    ${locals(range(16).map((i) => `w${i}`), 'i32')}
    (local $t1 i32) (local $ab i32) (local $bc i32) (local $r v128)
    ${range(8).map((i) => `(local.set $s${i} (i32.load offset=${STATE1 + 4 * i} (i32.const 0)))`).join('\n    ')}
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $bc (i32.xor (local.get $s1) (local.get $s2)))
      ${rounds(sca, loads)}
        ${feedForward('i32', STATE1, 4, 'i32')}
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $block))))`;
}

function stateFunctions() {
  // Digests: the same transpose as the loads, run backwards (lanes to rows).
  /** @param {number} h */
  const half = (h) => {
    /** @param {number} i */
    const x = (i) => `(v128.load offset=${STATE4 + 16 * (4 * h + i)} (i32.const 0))`;
    return [
      `(local.set $a ${shuffle(LO32, x(0), x(1))})`,
      `(local.set $b ${shuffle(HI32, x(0), x(1))})`,
      `(local.set $c ${shuffle(LO32, x(2), x(3))})`,
      `(local.set $d ${shuffle(HI32, x(2), x(3))})`,
      `(v128.store offset=${16 * h} (local.get $out) ${bswap(shuffle(LO64, get('a'), get('c')))})`,
      `(v128.store offset=${32 + 16 * h} (local.get $out) ${bswap(shuffle(HI64, get('a'), get('c')))})`,
      `(v128.store offset=${64 + 16 * h} (local.get $out) ${bswap(shuffle(LO64, get('b'), get('d')))})`,
      `(v128.store offset=${96 + 16 * h} (local.get $out) ${bswap(shuffle(HI64, get('b'), get('d')))})`,
    ].join('\n    ');
  };
  const iv4 = IV.map((v, i) => `(v128.store offset=${STATE4 + 16 * i} (i32.const 0) (i32x4.splat (i32.const ${hex(v)})))`);
  const iv1 = IV.map((v, i) => `(i32.store offset=${STATE1 + 4 * i} (i32.const 0) (i32.const ${hex(v)}))`);
  const digest1 = range(2).map(
    (h) => `(v128.store offset=${16 * h} (local.get $out) ${bswap(`(v128.load offset=${STATE1 + 16 * h} (i32.const 0))`)})`,
  );
  const extract1 = range(8).map(
    (i) =>
      `(i32.store offset=${STATE1 + 4 * i} (i32.const 0) (i32.load offset=${STATE4 + 16 * i} (i32.shl (local.get $k) (i32.const 2))))`,
  );
  return `
  (func (export "init4")
    ${iv4.join('\n    ')})
  (func (export "init1")
    ${iv1.join('\n    ')})
  ;; Four big-endian digests, lane k's at $out + 32 k.
  (func (export "digest4") (param $out i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    ${half(0)}
    ${half(1)})
  (func (export "digest1") (param $out i32)
    ${digest1.join('\n    ')})
  ;; Lane $k of STATE4 into STATE1, to finish a message in scalar once too
  ;; few lanes are left to pay for the vector kernel.
  (func (export "extract1") (param $k i32)
    ${extract1.join('\n    ')})`;
}

/** The whole module; memory is imported so that the JS side sizes it. */
export function generateSha256x4Wat() {
  return `;; Generated by scripts/gen-sha256x4.mjs; do not edit.
(module
  (import "env" "memory" (memory 1))
  (global (export "heapBase") i32 (i32.const ${HEAP_BASE}))
  (data (i32.const ${KVEC}) "${K.map((k) => leBytes(k).repeat(4)).join('')}")
${blocks4()}
${blocks1()}
${stateFunctions()}
)
`;
}
