/* SHA-256 (FIPS 180-4) with interchangeable block functions: the portable C
 * one, and CPU-specific ones (SHA-NI on x86-64, ARMv8 crypto extensions on
 * arm64) that live in their own translation units so that only they are
 * compiled with the instruction-set flags they need. */
#ifndef HIVESTREAM_SHA256_H
#define HIVESTREAM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

/* Compresses nblocks consecutive 64-byte blocks into state (host-order words). */
typedef void (*sha256_blocks_fn)(uint32_t state[8], const uint8_t *data, size_t nblocks);

/* Same, for two independent messages of nblocks blocks each, interleaved so
 * that the latency of one chain hides behind the other. */
typedef void (*sha256_blocks_x2_fn)(uint32_t state_a[8], const uint8_t *data_a, uint32_t state_b[8],
                                    const uint8_t *data_b, size_t nblocks);

typedef struct sha256_impl {
  const char *name;
  sha256_blocks_fn blocks;
  sha256_blocks_x2_fn blocks_x2; /* NULL when the implementation has no 2-lane form */
} sha256_impl;

extern const uint32_t sha256_k[64];
extern const uint32_t sha256_initial_state[8];

void sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t nblocks);
#if defined(HIVESTREAM_HAVE_SHANI)
void sha256_blocks_shani(uint32_t state[8], const uint8_t *data, size_t nblocks);
void sha256_blocks_shani_x2(uint32_t state_a[8], const uint8_t *data_a, uint32_t state_b[8],
                            const uint8_t *data_b, size_t nblocks);
#endif
#if defined(HIVESTREAM_HAVE_ARMV8_SHA)
void sha256_blocks_armv8(uint32_t state[8], const uint8_t *data, size_t nblocks);
#endif

/* Finishes a digest of the len bytes at data whose first done_blocks blocks
 * are already in state (for incremental hashing). */
void sha256_finish(const sha256_impl *impl, uint32_t state[8], const uint8_t *data, size_t len, size_t done_blocks,
                   uint8_t out[SHA256_DIGEST_SIZE]);

/* One-shot digest of len bytes with the given implementation. */
void sha256_digest(const sha256_impl *impl, const uint8_t *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/* Digests of two messages at once (uses blocks_x2 for their common full
 * blocks when the implementation has it). */
void sha256_digest_x2(const sha256_impl *impl, const uint8_t *data_a, size_t len_a,
                      uint8_t out_a[SHA256_DIGEST_SIZE], const uint8_t *data_b, size_t len_b,
                      uint8_t out_b[SHA256_DIGEST_SIZE]);

#endif
