/* SHA-256 message padding and finalisation, shared by every block function. */
#include "sha256.h"

#include <string.h>

const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t sha256_initial_state[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Builds the one or two final blocks (remaining bytes, 0x80, zeros, bit
 * length big-endian) in tail and returns how many there are. */
static size_t sha256_tail(const uint8_t *data, size_t len, uint8_t tail[2 * SHA256_BLOCK_SIZE]) {
  size_t rem = len % SHA256_BLOCK_SIZE;
  size_t nblocks = rem < 56 ? 1 : 2;
  size_t end = nblocks * SHA256_BLOCK_SIZE;
  uint64_t bits = (uint64_t)len << 3;

  if (rem > 0) memcpy(tail, data + (len - rem), rem); /* data may be NULL when len is 0 */
  tail[rem] = 0x80;
  memset(tail + rem + 1, 0, end - rem - 1 - 8);
  for (int i = 0; i < 8; i++) tail[end - 1 - i] = (uint8_t)(bits >> (8 * i));
  return nblocks;
}

static void sha256_store(const uint32_t state[8], uint8_t out[SHA256_DIGEST_SIZE]) {
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(state[i] >> 24);
    out[4 * i + 1] = (uint8_t)(state[i] >> 16);
    out[4 * i + 2] = (uint8_t)(state[i] >> 8);
    out[4 * i + 3] = (uint8_t)state[i];
  }
}

void sha256_finish(const sha256_impl *impl, uint32_t state[8], const uint8_t *data, size_t len, size_t done_blocks,
                   uint8_t out[SHA256_DIGEST_SIZE]) {
  uint8_t tail[2 * SHA256_BLOCK_SIZE];
  size_t full = len / SHA256_BLOCK_SIZE;
  if (full > done_blocks) impl->blocks(state, data + done_blocks * SHA256_BLOCK_SIZE, full - done_blocks);
  impl->blocks(state, tail, sha256_tail(data, len, tail));
  sha256_store(state, out);
}

void sha256_digest(const sha256_impl *impl, const uint8_t *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]) {
  uint32_t state[8];
  memcpy(state, sha256_initial_state, sizeof state);
  sha256_finish(impl, state, data, len, 0, out);
}

void sha256_digest_x2(const sha256_impl *impl, const uint8_t *data_a, size_t len_a,
                      uint8_t out_a[SHA256_DIGEST_SIZE], const uint8_t *data_b, size_t len_b,
                      uint8_t out_b[SHA256_DIGEST_SIZE]) {
  uint32_t state_a[8], state_b[8];
  size_t full_a = len_a / SHA256_BLOCK_SIZE, full_b = len_b / SHA256_BLOCK_SIZE;
  size_t common = full_a < full_b ? full_a : full_b;

  if (impl->blocks_x2 == NULL) {
    sha256_digest(impl, data_a, len_a, out_a);
    sha256_digest(impl, data_b, len_b, out_b);
    return;
  }
  memcpy(state_a, sha256_initial_state, sizeof state_a);
  memcpy(state_b, sha256_initial_state, sizeof state_b);
  if (common > 0) impl->blocks_x2(state_a, data_a, state_b, data_b, common);
  if (full_a == full_b) {
    /* Equal block counts (the usual case: fixed-size chunks): the padding
     * blocks go through both lanes together too. */
    uint8_t tail_a[2 * SHA256_BLOCK_SIZE], tail_b[2 * SHA256_BLOCK_SIZE];
    size_t n_a = sha256_tail(data_a, len_a, tail_a), n_b = sha256_tail(data_b, len_b, tail_b);
    if (n_a == n_b) {
      impl->blocks_x2(state_a, tail_a, state_b, tail_b, n_a);
    } else {
      impl->blocks(state_a, tail_a, n_a);
      impl->blocks(state_b, tail_b, n_b);
    }
    sha256_store(state_a, out_a);
    sha256_store(state_b, out_b);
    return;
  }
  sha256_finish(impl, state_a, data_a, len_a, common, out_a);
  sha256_finish(impl, state_b, data_b, len_b, common, out_b);
}
