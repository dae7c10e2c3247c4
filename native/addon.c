/* hivestream_native: SHA-256 and LZ4 over many chunks per call, in place on
 * one (Shared)ArrayBuffer, so a worker hashes or compresses a whole batch of
 * ring slots with one crossing into native code and no per-chunk objects.
 * This file only registers the calls; each area keeps its binding and
 * header together (sha256_calls, lz4_calls, features, memory; per-thread
 * state in state.c). */
#include "features.h"
#include "lz4_calls.h"
#include "memory.h"
#include "sha256_calls.h"
#include "sha256_select.h"
#include "state.h"

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
  if (!state_init(env)) return NULL;
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    napi_value fnv;
    if (napi_create_function(env, methods[i].name, NAPI_AUTO_LENGTH, methods[i].cb, NULL, &fnv) != napi_ok ||
        napi_set_named_property(env, exports, methods[i].name, fnv) != napi_ok)
      return NULL;
  }
  return exports;
}
