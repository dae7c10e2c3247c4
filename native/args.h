/* Argument checking for the batch calls: every byte range a job names is
 * validated against the buffer before any memory is touched, and the job
 * table is copied first so a concurrent writer to a shared job table cannot
 * change a range between the check and its use. */
#ifndef HIVESTREAM_ARGS_H
#define HIVESTREAM_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "job.h"

typedef struct byte_span {
  uint8_t *data;
  size_t size;
} byte_span;

/* Every helper returns false (or NULL) with a JS exception pending on error. */
bool args_get(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *fn);

/* ArrayBuffer, SharedArrayBuffer, any TypedArray or DataView (Buffer too). */
bool args_bytes(napi_env env, napi_value value, const char *fn, const char *name, byte_span *out);

bool args_f64_array(napi_env env, napi_value value, const char *fn, const char *name, double **data,
                    size_t *length);
bool args_i32_array(napi_env env, napi_value value, const char *fn, const char *name, int32_t **data,
                    size_t *length);

/* Reads jobs of `width` numbers (3: src, len, dst with a fixed dst_len; 4:
 * src, len, dst, dst_cap) and checks each range lies within buffer_size.
 * Returns a malloc'd copy (free it) and the job count. */
job *args_jobs(napi_env env, napi_value value, const char *fn, size_t width, uint64_t fixed_dst_len,
               uint64_t buffer_size, size_t *count);

/* A non-negative integer no larger than 2^53, as an offset or length. */
bool args_index(double d, uint64_t *out);

void throw_range(napi_env env, const char *fmt, ...);
void throw_type(napi_env env, const char *fmt, ...);

#endif
