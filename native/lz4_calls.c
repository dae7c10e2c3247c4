/* lz4CompressBatch and lz4DecompressBatch: LZ4 blocks over many slots of one
 * buffer per call, through the system's liblz4 (loaded at run time by
 * lz4_dyn.c). The block format is lz4-napi's: a 4-byte little-endian raw
 * size, then the block. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "lz4_calls.h"
#include "lz4_dyn.h"

static void store_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static const lz4_api *require_lz4(napi_env env, const char *fn) {
  const char *error, *path;
  const lz4_api *lz4 = lz4_load(&error, &path);
  if (lz4 == NULL) {
    char msg[640];
    snprintf(msg, sizeof msg, "%s: liblz4 is unavailable (%s)", fn, error);
    napi_throw_error(env, "E_BACKEND_UNAVAILABLE", msg);
  }
  return lz4;
}

/* Common argument handling of the two LZ4 batch calls. */
static job *lz4_args(napi_env env, napi_callback_info info, const char *fn, const lz4_api **lz4, byte_span *buf,
                     int32_t **results, size_t *count) {
  napi_value argv[3];
  size_t results_len;
  if (!args_get(env, info, 3, argv, fn)) return NULL;
  if ((*lz4 = require_lz4(env, fn)) == NULL) return NULL;
  if (!args_bytes(env, argv[0], fn, "buffer", buf) || !args_i32_array(env, argv[2], fn, "results", results, &results_len))
    return NULL;
  job *jobs = args_jobs(env, argv[1], fn, 4, 0, buf->size, count);
  if (jobs == NULL) return NULL;
  if (results_len < *count) {
    throw_range(env, "%s: results has %zu entries for %zu jobs", fn, results_len, *count);
    free(jobs);
    return NULL;
  }
  for (size_t i = 0; i < *count; i++) {
    /* LZ4 reads and writes with memcpy semantics: ranges must be disjoint. */
    if (jobs[i].src_len > 0 && jobs[i].dst_cap > 0 &&
        overlaps(jobs[i].src, jobs[i].src_len, jobs[i].dst, jobs[i].dst_cap)) {
      throw_range(env, "%s: job %zu: source and destination ranges overlap", fn, i);
      free(jobs);
      return NULL;
    }
  }
  return jobs;
}

static int clamp_int(uint64_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

/* lz4CompressBatch(buffer, jobs: [srcOffset, srcLength, dstOffset, dstCapacity]..., results: Int32Array)
 * Writes a 4-byte little-endian raw size, then the LZ4 block; results[i] is
 * the bytes written, or 0 if they would not fit in dstCapacity. */
napi_value lz4_compress_batch(napi_env env, napi_callback_info info) {
  static const char fn[] = "lz4CompressBatch";
  const lz4_api *lz4;
  byte_span buf;
  int32_t *results;
  size_t count;
  job *jobs = lz4_args(env, info, fn, &lz4, &buf, &results, &count);
  if (jobs == NULL) return NULL;
  for (size_t i = 0; i < count; i++) {
    if (jobs[i].src_len > HS_LZ4_MAX_INPUT_SIZE) {
      throw_range(env, "%s: job %zu: srcLength %llu is over LZ4's limit of %d bytes", fn, i,
                  (unsigned long long)jobs[i].src_len, HS_LZ4_MAX_INPUT_SIZE);
      free(jobs);
      return NULL;
    }
  }
  for (size_t i = 0; i < count; i++) {
    const job *j = &jobs[i];
    int32_t written = 0;
    if (j->dst_cap >= 4) {
      uint8_t *dst = buf.data + j->dst;
      /* Capacity less the prefix, kept below INT_MAX - 4 so the total fits an int32. */
      uint64_t cap = j->dst_cap - 4;
      int n = lz4->compress_default((const char *)buf.data + j->src, (char *)dst + 4, (int)j->src_len,
                                    cap > INT_MAX - 4 ? INT_MAX - 4 : (int)cap);
      if (n > 0) {
        store_le32(dst, (uint32_t)j->src_len);
        written = n + 4;
      }
    }
    results[i] = written;
  }
  free(jobs);
  return NULL;
}

/* Result codes of lz4DecompressBatch (kept in step with native.ts). */
enum { LZ4_SIZE_TOO_LARGE = -1, LZ4_MALFORMED = -2, LZ4_LENGTH_MISMATCH = -3 };

/* lz4DecompressBatch(buffer, jobs: [srcOffset, srcLength, dstOffset, dstCapacity]..., results: Int32Array)
 * results[i] is the decompressed length, or one of the negative codes above. */
napi_value lz4_decompress_batch(napi_env env, napi_callback_info info) {
  static const char fn[] = "lz4DecompressBatch";
  const lz4_api *lz4;
  byte_span buf;
  int32_t *results;
  size_t count;
  job *jobs = lz4_args(env, info, fn, &lz4, &buf, &results, &count);
  if (jobs == NULL) return NULL;
  for (size_t i = 0; i < count; i++) {
    const job *j = &jobs[i];
    const uint8_t *src = buf.data + j->src;
    int32_t result;
    if (j->src_len < 4 || j->src_len - 4 > INT_MAX) {
      result = LZ4_MALFORMED;
    } else {
      /* The prefix is read once: a shared buffer may change under us. */
      uint32_t raw = load_le32(src);
      if (raw > j->dst_cap || raw > INT_MAX) {
        result = LZ4_SIZE_TOO_LARGE;
      } else {
        int n = lz4->decompress_safe((const char *)src + 4, (char *)buf.data + j->dst, (int)(j->src_len - 4),
                                     clamp_int(j->dst_cap));
        result = n < 0 ? LZ4_MALFORMED : (uint32_t)n != raw ? LZ4_LENGTH_MISMATCH : n;
      }
    }
    results[i] = result;
  }
  free(jobs);
  return NULL;
}
