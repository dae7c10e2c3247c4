/* The SHA-256 calls of the addon (sha256_calls.c). */
#ifndef HIVESTREAM_SHA256_CALLS_H
#define HIVESTREAM_SHA256_CALLS_H

#include "args.h"

/* sha256Batch(buffer, jobs: Float64Array of [srcOffset, srcLength, dstOffset]...) */
napi_value sha256_batch(napi_env env, napi_callback_info info);
/* readSha256Batch(fd, buffer, jobs: [chunkOffset, length, digestOffset]..., positions: Float64Array, results: Int32Array) */
napi_value read_sha256_batch(napi_env env, napi_callback_info info);
/* sha256(data): Buffer */
napi_value sha256_one(napi_env env, napi_callback_info info);
/* setSha256Impl('auto' | 'sha-ni' | 'armv8-ce' | 'portable'): the name now in effect */
napi_value set_sha256_impl(napi_env env, napi_callback_info info);

#endif
