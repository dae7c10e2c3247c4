/* Reading file ranges into the buffer while hashing them (see read_hash.c). */
#ifndef HIVESTREAM_READ_HASH_H
#define HIVESTREAM_READ_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "job.h"

/* For each job {src: where the chunk goes, src_len: its length, dst: where
 * its digest goes}, reads src_len bytes at file_pos[i] from fd into src and
 * writes the SHA-256 at dst. results[i]: src_len when complete, the bytes
 * read when the file ended early (no digest), or -errno. */
void read_hash_jobs(int fd, uint8_t *base, const job *jobs, const uint64_t *file_pos, size_t count, int32_t *results);

#endif
