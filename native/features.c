/* features(): the CPU features seen, the SHA-256 implementation in use and
 * those usable here, and whether liblz4 loaded (or why not). */
#include "features.h"
#include "lz4_dyn.h"
#include "sha256_select.h"

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
napi_value features(napi_env env, napi_callback_info info) {
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
