/* The JS-facing SHA-256 calls: batches of ranges of one buffer hashed in
 * one call (two at a time through the 2-lane SHA-NI path), file ranges read
 * and hashed as they arrive, one digest, and pinning the implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_hash.h"
#include "sha256_calls.h"
#include "sha256_select.h"

/* sha256Batch(buffer, jobs: Float64Array of [srcOffset, srcLength, dstOffset]...) */
napi_value sha256_batch(napi_env env, napi_callback_info info) {
  static const char fn[] = "sha256Batch";
  napi_value argv[2];
  byte_span buf;
  size_t count;
  if (!args_get(env, info, 2, argv, fn) || !args_bytes(env, argv[0], fn, "buffer", &buf)) return NULL;
  job *jobs = args_jobs(env, argv[1], fn, 3, SHA256_DIGEST_SIZE, buf.size, &count);
  if (jobs == NULL) return NULL;

  const sha256_impl *impl = sha256_current();
  size_t i = 0;
  /* Two jobs at a time (for the 2-lane SHA-NI path), unless the first one's
   * digest lands in the second one's source: then order matters. */
  while (i + 1 < count) {
    const job *a = &jobs[i], *b = &jobs[i + 1];
    if (impl->blocks_x2 == NULL || overlaps(a->dst, SHA256_DIGEST_SIZE, b->src, b->src_len)) break;
    uint8_t da[SHA256_DIGEST_SIZE], db[SHA256_DIGEST_SIZE];
    sha256_digest_x2(impl, buf.data + a->src, a->src_len, da, buf.data + b->src, b->src_len, db);
    memcpy(buf.data + a->dst, da, SHA256_DIGEST_SIZE);
    memcpy(buf.data + b->dst, db, SHA256_DIGEST_SIZE);
    i += 2;
  }
  for (; i < count; i++) {
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(impl, buf.data + jobs[i].src, jobs[i].src_len, d);
    memcpy(buf.data + jobs[i].dst, d, SHA256_DIGEST_SIZE);
  }
  free(jobs);
  return NULL;
}

/* sha256(data): Buffer — one digest, for tests and small callers. */
napi_value sha256_one(napi_env env, napi_callback_info info) {
  static const char fn[] = "sha256";
  napi_value argv[1], result;
  byte_span buf;
  uint8_t digest[SHA256_DIGEST_SIZE];
  if (!args_get(env, info, 1, argv, fn) || !args_bytes(env, argv[0], fn, "data", &buf)) return NULL;
  sha256_digest(sha256_current(), buf.data, buf.size, digest);
  if (napi_create_buffer_copy(env, sizeof digest, digest, NULL, &result) != napi_ok) return NULL;
  return result;
}

/* readSha256Batch(fd, buffer, jobs: [chunkOffset, length, digestOffset]..., positions: Float64Array,
 *                 results: Int32Array)
 * Reads each chunk from the file at positions[i] into the buffer and hashes
 * it as it arrives (read_hash.c). results[i]: the length when complete, the
 * bytes read when the file ended early (no digest written), or -errno. */
napi_value read_sha256_batch(napi_env env, napi_callback_info info) {
  static const char fn[] = "readSha256Batch";
  napi_value argv[5];
  byte_span buf;
  int32_t fd, *results;
  double *positions;
  size_t count, npos, nres;
  if (!args_get(env, info, 5, argv, fn)) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    throw_type(env, "%s: fd must be a non-negative integer", fn);
    return NULL;
  }
  if (!args_bytes(env, argv[1], fn, "buffer", &buf) || !args_f64_array(env, argv[3], fn, "positions", &positions, &npos) ||
      !args_i32_array(env, argv[4], fn, "results", &results, &nres))
    return NULL;
  job *jobs = args_jobs(env, argv[2], fn, 3, SHA256_DIGEST_SIZE, buf.size, &count);
  if (jobs == NULL) return NULL;
  uint64_t *pos = malloc((count > 0 ? count : 1) * sizeof *pos);
  if (pos == NULL || npos < count || nres < count) {
    if (pos == NULL) napi_throw_error(env, "ERR_MEMORY_ALLOCATION_FAILED", "out of memory");
    else throw_range(env, "%s: %zu jobs but %zu positions and %zu results", fn, count, npos, nres);
    free(pos);
    free(jobs);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    if (!args_index(positions[i], &pos[i])) {
      throw_range(env, "%s: job %zu: position %.17g is not a non-negative safe integer", fn, i, positions[i]);
      free(pos);
      free(jobs);
      return NULL;
    }
    /* The chunk area and the digest must not overlap: the digest is written last. */
    if (overlaps(jobs[i].src, jobs[i].src_len, jobs[i].dst, SHA256_DIGEST_SIZE)) {
      throw_range(env, "%s: job %zu: chunk and digest ranges overlap", fn, i);
      free(pos);
      free(jobs);
      return NULL;
    }
  }
  read_hash_jobs(fd, buf.data, jobs, pos, count, results);
  free(pos);
  free(jobs);
  return NULL;
}

/* setSha256Impl('auto' | 'sha-ni' | 'armv8-ce' | 'portable'): the name now in
 * effect. Process-wide (all threads): meant for tests and benchmarks. */
napi_value set_sha256_impl(napi_env env, napi_callback_info info) {
  static const char fn[] = "setSha256Impl";
  napi_value argv[1], result;
  napi_valuetype type;
  char name[32];
  size_t len;
  if (!args_get(env, info, 1, argv, fn)) return NULL;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_string) {
    throw_type(env, "%s: the implementation name must be a string", fn);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return NULL;
  if (!sha256_select(name)) {
    char msg[200];
    snprintf(msg, sizeof msg, "%s: '%s' is not usable here (see features().sha256Impls)", fn, name);
    napi_throw_error(env, "ERR_INVALID_ARG_VALUE", msg);
    return NULL;
  }
  if (napi_create_string_utf8(env, sha256_current()->name, NAPI_AUTO_LENGTH, &result) != napi_ok) return NULL;
  return result;
}
