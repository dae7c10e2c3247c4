/* hivestream_native: SHA-256 and LZ4 over many chunks per call, in place on
 * one (Shared)ArrayBuffer, so a worker hashes or compresses a whole batch of
 * ring slots with one crossing into native code and no per-chunk objects. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "lz4_dyn.h"
#include "memory.h"
#include "read_hash.h"
#include "sha256_select.h"

static void store_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
  return a < b + b_len && b < a + a_len;
}

/* sha256Batch(buffer, jobs: Float64Array of [srcOffset, srcLength, dstOffset]...) */
static napi_value sha256_batch(napi_env env, napi_callback_info info) {
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
static napi_value sha256_one(napi_env env, napi_callback_info info) {
  static const char fn[] = "sha256";
  napi_value argv[1], result;
  byte_span buf;
  uint8_t digest[SHA256_DIGEST_SIZE];
  if (!args_get(env, info, 1, argv, fn) || !args_bytes(env, argv[0], fn, "data", &buf)) return NULL;
  sha256_digest(sha256_current(), buf.data, buf.size, digest);
  if (napi_create_buffer_copy(env, sizeof digest, digest, NULL, &result) != napi_ok) return NULL;
  return result;
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
static napi_value lz4_compress_batch(napi_env env, napi_callback_info info) {
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
static napi_value lz4_decompress_batch(napi_env env, napi_callback_info info) {
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

static bool set_bool(napi_env env, napi_value obj, const char *key, bool v) {
  napi_value value;
  return napi_get_boolean(env, v, &value) == napi_ok && napi_set_named_property(env, obj, key, value) == napi_ok;
}

static bool set_string(napi_env env, napi_value obj, const char *key, const char *v) {
  napi_value value;
  return napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &value) == napi_ok &&
         napi_set_named_property(env, obj, key, value) == napi_ok;
}

static napi_value lz4_features(napi_env env) {
  napi_value obj;
  const char *error, *path;
  if (napi_create_object(env, &obj) != napi_ok) return NULL;
  const lz4_api *lz4 = lz4_load(&error, &path);
  if (!set_bool(env, obj, "available", lz4 != NULL) || !set_string(env, obj, "library", path)) return NULL;
  if (lz4 != NULL) {
    napi_value number;
    if (!set_string(env, obj, "version", lz4->version_string()) ||
        napi_create_int32(env, lz4->version_number(), &number) != napi_ok ||
        napi_set_named_property(env, obj, "versionNumber", number) != napi_ok)
      return NULL;
  } else if (!set_string(env, obj, "error", error)) {
    return NULL;
  }
  return obj;
}

/* features(): { cpu, sha256Impl, sha256Impls, lz4 } */
static napi_value features(napi_env env, napi_callback_info info) {
  (void)info;
  const cpu_features *cpu = sha256_cpu();
  const sha256_impl *usable[4];
  int n = sha256_usable(usable, 4);
  napi_value obj, cpu_obj, impls, lz4;
  if (napi_create_object(env, &obj) != napi_ok || napi_create_object(env, &cpu_obj) != napi_ok ||
      napi_create_array_with_length(env, (size_t)n, &impls) != napi_ok)
    return NULL;
  if (!set_string(env, cpu_obj, "arch", cpu->arch) || !set_bool(env, cpu_obj, "sha", cpu->sha) ||
      !set_bool(env, cpu_obj, "sse41", cpu->sse41) || !set_bool(env, cpu_obj, "ssse3", cpu->ssse3))
    return NULL;
  for (int i = 0; i < n; i++) {
    napi_value name;
    if (napi_create_string_utf8(env, usable[i]->name, NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_set_element(env, impls, (uint32_t)i, name) != napi_ok)
      return NULL;
  }
  if ((lz4 = lz4_features(env)) == NULL) return NULL;
  if (napi_set_named_property(env, obj, "cpu", cpu_obj) != napi_ok ||
      !set_string(env, obj, "sha256Impl", sha256_current()->name) ||
      napi_set_named_property(env, obj, "sha256Impls", impls) != napi_ok ||
      napi_set_named_property(env, obj, "lz4", lz4) != napi_ok)
    return NULL;
  return obj;
}

/* setSha256Impl('auto' | 'sha-ni' | 'armv8-ce' | 'portable'): the name now in
 * effect. Process-wide (all threads): meant for tests and benchmarks. */
static napi_value set_sha256_impl(napi_env env, napi_callback_info info) {
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

static void free_state(napi_env env, void *data, void *hint) {
  (void)hint;
  addon_state *state = data;
  napi_delete_reference(env, state->shared_array_buffer);
  napi_delete_reference(env, state->uint8_array);
  free(state);
}

static bool init_state(napi_env env) {
  napi_value global, sab, u8;
  addon_state *state = calloc(1, sizeof *state);
  if (state == NULL) return false;
  if (napi_get_global(env, &global) != napi_ok ||
      napi_get_named_property(env, global, "SharedArrayBuffer", &sab) != napi_ok ||
      napi_get_named_property(env, global, "Uint8Array", &u8) != napi_ok ||
      napi_create_reference(env, sab, 1, &state->shared_array_buffer) != napi_ok ||
      napi_create_reference(env, u8, 1, &state->uint8_array) != napi_ok) {
    free(state);
    return false;
  }
  return napi_set_instance_data(env, state, free_state, NULL) == napi_ok;
}

/* readSha256Batch(fd, buffer, jobs: [chunkOffset, length, digestOffset]..., positions: Float64Array,
 *                 results: Int32Array)
 * Reads each chunk from the file at positions[i] into the buffer and hashes
 * it as it arrives (read_hash.c). results[i]: the length when complete, the
 * bytes read when the file ended early (no digest written), or -errno. */
static napi_value read_sha256_batch(napi_env env, napi_callback_info info) {
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

/* Context-aware: loaded once per thread (main and each worker). */
NAPI_MODULE_INIT() {
  static const struct {
    const char *name;
    napi_callback cb;
  } methods[] = {
      {"sha256Batch", sha256_batch},
      {"readSha256Batch", read_sha256_batch},
      {"sha256", sha256_one},
      {"lz4CompressBatch", lz4_compress_batch},
      {"lz4DecompressBatch", lz4_decompress_batch},
      {"features", features},
      {"setSha256Impl", set_sha256_impl},
      {"adviseHugePages", advise_huge_pages},
  };
  sha256_select_init();
  if (!init_state(env)) return NULL;
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    napi_value fnv;
    if (napi_create_function(env, methods[i].name, NAPI_AUTO_LENGTH, methods[i].cb, NULL, &fnv) != napi_ok ||
        napi_set_named_property(env, exports, methods[i].name, fnv) != napi_ok)
      return NULL;
  }
  return exports;
}
