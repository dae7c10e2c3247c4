/* The LZ4 batch calls of the addon (lz4_calls.c). */
#ifndef HIVESTREAM_LZ4_CALLS_H
#define HIVESTREAM_LZ4_CALLS_H

#include "args.h"

/* lz4CompressBatch(buffer, jobs: [srcOffset, srcLength, dstOffset, dstCapacity]..., results: Int32Array) */
napi_value lz4_compress_batch(napi_env env, napi_callback_info info);
/* lz4DecompressBatch(buffer, jobs as above, the source starting with the raw size, results: Int32Array) */
napi_value lz4_decompress_batch(napi_env env, napi_callback_info info);

#endif
