/* A job of a batch call: a source range and a destination range of one
 * buffer. Plain C, shared by the N-API argument checks (args.c) and the
 * N-API-free core (read_hash.c). */
#ifndef HIVESTREAM_JOB_H
#define HIVESTREAM_JOB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct job {
  uint64_t src, src_len, dst, dst_cap;
} job;

/* Whether byte ranges [a, a + a_len) and [b, b + b_len) share a byte. */
static inline bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
  return a < b + b_len && b < a + a_len;
}

#endif
