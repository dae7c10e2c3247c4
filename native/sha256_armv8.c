/* SHA-256 block function on the ARMv8 cryptography extensions. Compiled with
 * -march=armv8-a+crypto and only called after getauxval reported HWCAP_SHA2. */
#include "sha256.h"

#include <arm_neon.h>

#define LOAD_W(p, i) vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8((p) + 16 * (i))))

/* Four rounds (group g) with c = W[4g..4g+3]; groups 0-11 also extend the
 * schedule in place: c becomes the words of group g+4. */
#define QROUND(g, c, n1, n2, n3, sched)                 \
  do {                                                  \
    uint32x4_t wk_ = vaddq_u32(c, vld1q_u32(&sha256_k[4 * (g)])); \
    uint32x4_t abcd_ = s0;                              \
    if (sched) c = vsha256su0q_u32(c, n1);              \
    s0 = vsha256hq_u32(s0, s1, wk_);                    \
    s1 = vsha256h2q_u32(s1, abcd_, wk_);                \
    if (sched) c = vsha256su1q_u32(c, n2, n3);          \
  } while (0)

void sha256_blocks_armv8(uint32_t state[8], const uint8_t *data, size_t nblocks) {
  uint32x4_t s0 = vld1q_u32(&state[0]);
  uint32x4_t s1 = vld1q_u32(&state[4]);
  while (nblocks-- > 0) {
    const uint32x4_t save0 = s0, save1 = s1;
    uint32x4_t w0 = LOAD_W(data, 0), w1 = LOAD_W(data, 1), w2 = LOAD_W(data, 2), w3 = LOAD_W(data, 3);
    QROUND(0, w0, w1, w2, w3, 1);
    QROUND(1, w1, w2, w3, w0, 1);
    QROUND(2, w2, w3, w0, w1, 1);
    QROUND(3, w3, w0, w1, w2, 1);
    QROUND(4, w0, w1, w2, w3, 1);
    QROUND(5, w1, w2, w3, w0, 1);
    QROUND(6, w2, w3, w0, w1, 1);
    QROUND(7, w3, w0, w1, w2, 1);
    QROUND(8, w0, w1, w2, w3, 1);
    QROUND(9, w1, w2, w3, w0, 1);
    QROUND(10, w2, w3, w0, w1, 1);
    QROUND(11, w3, w0, w1, w2, 1);
    QROUND(12, w0, w1, w2, w3, 0);
    QROUND(13, w1, w2, w3, w0, 0);
    QROUND(14, w2, w3, w0, w1, 0);
    QROUND(15, w3, w0, w1, w2, 0);
    s0 = vaddq_u32(s0, save0);
    s1 = vaddq_u32(s1, save1);
    data += SHA256_BLOCK_SIZE;
  }
  vst1q_u32(&state[0], s0);
  vst1q_u32(&state[4], s1);
}
