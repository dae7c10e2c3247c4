#include "args.h"
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Integers up to 2^53 are exact in a double; larger ones cannot be offsets. */
#define MAX_SAFE_INTEGER 9007199254740991.0

static void throw_with(napi_env env, napi_status (*thrower)(napi_env, const char *, const char *), const char *code,
                       const char *fmt, va_list ap) {
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  thrower(env, code, msg);
}

void throw_range(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_with(env, napi_throw_range_error, "ERR_OUT_OF_RANGE", fmt, ap);
  va_end(ap);
}

void throw_type(napi_env env, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  throw_with(env, napi_throw_type_error, "ERR_INVALID_ARG_TYPE", fmt, ap);
  va_end(ap);
}

/* An N-API call failed without throwing: surface its status as an Error. */
static bool fail(napi_env env, const char *fn, napi_status status) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: internal N-API failure (status %d: %s)", fn, (int)status,
             info != NULL && info->error_message != NULL ? info->error_message : "unknown");
    napi_throw_error(env, "ERR_HIVESTREAM_NATIVE", msg);
  }
  return false;
}

#define CHECK(call)                                   \
  do {                                                \
    napi_status status_ = (call);                     \
    if (status_ != napi_ok) return fail(env, fn, status_); \
  } while (0)

bool args_get(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *fn) {
  size_t argc = want;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < want) {
    throw_type(env, "%s: expected %zu arguments, got %zu", fn, want, argc);
    return false;
  }
  return true;
}

static size_t element_size(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

static bool typed_array_bytes(napi_env env, napi_value value, const char *fn, byte_span *out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  CHECK(napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL));
  out->data = data;
  out->size = length * element_size(type);
  return true;
}

/* Node 20's napi_get_arraybuffer_info refuses a SharedArrayBuffer, but a
 * typed array over one works: so a SharedArrayBuffer gets one Uint8Array
 * view per call (never per job). */
static bool shared_bytes(napi_env env, napi_value value, const char *fn, bool *is_shared, byte_span *out) {
  const addon_state *state = state_get(env);
  napi_value ctor, view;
  *is_shared = false;
  if (state == NULL) return true;
  CHECK(napi_get_reference_value(env, state->shared_array_buffer, &ctor));
  CHECK(napi_instanceof(env, value, ctor, is_shared));
  if (!*is_shared) return true;
  CHECK(napi_get_reference_value(env, state->uint8_array, &ctor));
  CHECK(napi_new_instance(env, ctor, 1, &value, &view));
  return typed_array_bytes(env, view, fn, out);
}

bool args_bytes(napi_env env, napi_value value, const char *fn, const char *name, byte_span *out) {
  bool is = false;
  void *data = NULL;
  CHECK(napi_is_arraybuffer(env, value, &is));
  if (is) {
    CHECK(napi_get_arraybuffer_info(env, value, &data, &out->size));
    out->data = data;
    return true;
  }
  CHECK(napi_is_typedarray(env, value, &is));
  if (is) return typed_array_bytes(env, value, fn, out);
  CHECK(napi_is_dataview(env, value, &is));
  if (is) {
    CHECK(napi_get_dataview_info(env, value, &out->size, &data, NULL, NULL));
    out->data = data;
    return true;
  }
  napi_valuetype type;
  CHECK(napi_typeof(env, value, &type));
  if (type == napi_object) {
    if (!shared_bytes(env, value, fn, &is, out)) return false;
    if (is) return true;
  }
  throw_type(env, "%s: %s must be a SharedArrayBuffer, ArrayBuffer, TypedArray or DataView", fn, name);
  return false;
}

static bool typed_array_of(napi_env env, napi_value value, const char *fn, const char *name,
                           napi_typedarray_type want, const char *want_name, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  CHECK(napi_is_typedarray(env, value, &is));
  if (is) CHECK(napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL));
  if (!is || type != want) {
    throw_type(env, "%s: %s must be a %s", fn, name, want_name);
    return false;
  }
  return true;
}

bool args_f64_array(napi_env env, napi_value value, const char *fn, const char *name, double **data,
                    size_t *length) {
  return typed_array_of(env, value, fn, name, napi_float64_array, "Float64Array", (void **)data, length);
}

bool args_i32_array(napi_env env, napi_value value, const char *fn, const char *name, int32_t **data,
                    size_t *length) {
  return typed_array_of(env, value, fn, name, napi_int32_array, "Int32Array", (void **)data, length);
}

static bool to_index(double d, uint64_t *out) {
  /* The comparisons are false for NaN, so NaN is refused too. */
  if (!(d >= 0 && d <= MAX_SAFE_INTEGER) || d != (double)(uint64_t)d) return false;
  *out = (uint64_t)d;
  return true;
}

bool args_index(double d, uint64_t *out) { return to_index(d, out); }

static const char *const field_names[4] = {"srcOffset", "srcLength", "dstOffset", "dstCapacity"};

job *args_jobs(napi_env env, napi_value value, const char *fn, size_t width, uint64_t fixed_dst_len,
               uint64_t buffer_size, size_t *count) {
  double *numbers;
  size_t length;
  if (!args_f64_array(env, value, fn, "jobs", &numbers, &length)) return NULL;
  if (length % width != 0) {
    throw_range(env, "%s: jobs length %zu is not a multiple of %zu", fn, length, width);
    return NULL;
  }
  *count = length / width;
  job *jobs = malloc((*count > 0 ? *count : 1) * sizeof *jobs);
  if (jobs == NULL) {
    napi_throw_error(env, "ERR_MEMORY_ALLOCATION_FAILED", "out of memory copying the job table");
    return NULL;
  }
  for (size_t i = 0; i < *count; i++) {
    uint64_t v[4] = {0, 0, 0, fixed_dst_len};
    for (size_t f = 0; f < width; f++) {
      double d = numbers[i * width + f];
      if (!to_index(d, &v[f])) {
        throw_range(env, "%s: job %zu: %s %.17g is not a non-negative safe integer", fn, i, field_names[f], d);
        free(jobs);
        return NULL;
      }
    }
    /* Both terms are at most 2^53, so the sums cannot wrap. */
    if (v[0] + v[1] > buffer_size) {
      throw_range(env, "%s: job %zu: source [%llu, %llu) is outside the buffer (%llu bytes)", fn, i,
                  (unsigned long long)v[0], (unsigned long long)(v[0] + v[1]), (unsigned long long)buffer_size);
      free(jobs);
      return NULL;
    }
    if (v[2] + v[3] > buffer_size) {
      throw_range(env, "%s: job %zu: destination [%llu, %llu) is outside the buffer (%llu bytes)", fn, i,
                  (unsigned long long)v[2], (unsigned long long)(v[2] + v[3]), (unsigned long long)buffer_size);
      free(jobs);
      return NULL;
    }
    jobs[i] = (job){v[0], v[1], v[2], v[3]};
  }
  return jobs;
}
