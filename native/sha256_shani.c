/* SHA-256 block functions on the x86 SHA extensions (SHA-NI). Compiled with
 * -msha -msse4.1 and only called after CPUID reported SHA, SSE4.1 and SSSE3.
 * The round structure is Intel's published one: sha256rnds2 does two rounds,
 * sha256msg1/msg2 extend the message schedule four words at a time. */
#include "sha256.h"

#include <immintrin.h>

/* Byte order of each 32-bit word: the message is big-endian. */
#define BSWAP_MASK _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL)
#define LOAD_W(p, i) _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)((p) + 16 * (i))), BSWAP_MASK)
#define K4(g) _mm_loadu_si128((const __m128i *)&sha256_k[4 * (g)])

/* The rnds2 instructions want the state as ABEF / CDGH rather than ABCD / EFGH. */
static inline void to_abef_cdgh(const uint32_t state[8], __m128i *abef, __m128i *cdgh) {
  __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  *abef = _mm_alignr_epi8(cdab, efgh, 8);
  *cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

static inline void from_abef_cdgh(uint32_t state[8], __m128i abef, __m128i cdgh) {
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* Four rounds (group g) of one lane: c holds W[4g..4g+3], p the previous
 * group's words, n the next group's (partially scheduled) words. */
#define QROUND(s0, s1, g, c, p, n, sched2, sched1)                          \
  do {                                                                      \
    __m128i m_ = _mm_add_epi32(c, K4(g));                                   \
    s1 = _mm_sha256rnds2_epu32(s1, s0, m_);                                 \
    if (sched2) n = _mm_sha256msg2_epu32(_mm_add_epi32(n, _mm_alignr_epi8(c, p, 4)), c); \
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m_, 0x0E));        \
    if (sched1) p = _mm_sha256msg1_epu32(p, c);                             \
  } while (0)

/* All 16 groups; the flags say which steps of the schedule each one does. */
#define ALL_ROUNDS(Q, w0, w1, w2, w3)  \
  Q(0, w0, w3, w1, 0, 0);              \
  Q(1, w1, w0, w2, 0, 1);              \
  Q(2, w2, w1, w3, 0, 1);              \
  Q(3, w3, w2, w0, 1, 1);              \
  Q(4, w0, w3, w1, 1, 1);              \
  Q(5, w1, w0, w2, 1, 1);              \
  Q(6, w2, w1, w3, 1, 1);              \
  Q(7, w3, w2, w0, 1, 1);              \
  Q(8, w0, w3, w1, 1, 1);              \
  Q(9, w1, w0, w2, 1, 1);              \
  Q(10, w2, w1, w3, 1, 1);             \
  Q(11, w3, w2, w0, 1, 1);             \
  Q(12, w0, w3, w1, 1, 1);             \
  Q(13, w1, w0, w2, 1, 0);             \
  Q(14, w2, w1, w3, 1, 0);             \
  Q(15, w3, w2, w0, 0, 0)

void sha256_blocks_shani(uint32_t state[8], const uint8_t *data, size_t nblocks) {
  __m128i s0, s1;
  to_abef_cdgh(state, &s0, &s1);
  while (nblocks-- > 0) {
    const __m128i save0 = s0, save1 = s1;
    __m128i w0 = LOAD_W(data, 0), w1 = LOAD_W(data, 1), w2 = LOAD_W(data, 2), w3 = LOAD_W(data, 3);
#define Q1(g, c, p, n, f2, f1) QROUND(s0, s1, g, c, p, n, f2, f1)
    ALL_ROUNDS(Q1, w0, w1, w2, w3);
#undef Q1
    s0 = _mm_add_epi32(s0, save0);
    s1 = _mm_add_epi32(s1, save1);
    data += SHA256_BLOCK_SIZE;
  }
  from_abef_cdgh(state, s0, s1);
}

/* Two independent messages in lock step: each lane's rounds form one long
 * dependency chain, so interleaving two chains keeps the SHA unit busy. */
void sha256_blocks_shani_x2(uint32_t state_a[8], const uint8_t *data_a, uint32_t state_b[8],
                            const uint8_t *data_b, size_t nblocks) {
  __m128i a0, a1, b0, b1;
  to_abef_cdgh(state_a, &a0, &a1);
  to_abef_cdgh(state_b, &b0, &b1);
  while (nblocks-- > 0) {
    const __m128i save_a0 = a0, save_a1 = a1, save_b0 = b0, save_b1 = b1;
    __m128i x0 = LOAD_W(data_a, 0), x1 = LOAD_W(data_a, 1), x2 = LOAD_W(data_a, 2), x3 = LOAD_W(data_a, 3);
    __m128i y0 = LOAD_W(data_b, 0), y1 = LOAD_W(data_b, 1), y2 = LOAD_W(data_b, 2), y3 = LOAD_W(data_b, 3);
#define Q2(g, c, p, n, f2, f1)             \
  QROUND(a0, a1, g, x##c, x##p, x##n, f2, f1); \
  QROUND(b0, b1, g, y##c, y##p, y##n, f2, f1)
    ALL_ROUNDS(Q2, 0, 1, 2, 3);
#undef Q2
    a0 = _mm_add_epi32(a0, save_a0);
    a1 = _mm_add_epi32(a1, save_a1);
    b0 = _mm_add_epi32(b0, save_b0);
    b1 = _mm_add_epi32(b1, save_b1);
    data_a += SHA256_BLOCK_SIZE;
    data_b += SHA256_BLOCK_SIZE;
  }
  from_abef_cdgh(state_a, a0, a1);
  from_abef_cdgh(state_b, b0, b1);
}
