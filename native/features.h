/* features(): what the addon found on this machine (features.c). */
#ifndef HIVESTREAM_FEATURES_H
#define HIVESTREAM_FEATURES_H

#include "args.h"

/* features(): { cpu: { arch, sha, sse41, ssse3 }, sha256Impl, sha256Impls, lz4: { available, library, version?, versionNumber?, error? } } */
napi_value features(napi_env env, napi_callback_info info);

#endif
