/* hivestream_native: SHA-256 and LZ4 over many chunks per call, in place on
 * one (Shared)ArrayBuffer, so a worker hashes or compresses a whole batch of
 * ring slots with one crossing into native code and no per-chunk objects. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "lz4_calls.h"
#include "lz4_dyn.h"
#include "memory.h"
#include "read_hash.h"
#include "sha256_select.h"

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
