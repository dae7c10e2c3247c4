#include "lz4_dyn.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__)
#define DEFAULT_LIBLZ4 "liblz4.1.dylib"
#else
#define DEFAULT_LIBLZ4 "liblz4.so.1"
#endif

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static lz4_api api;
static bool loaded;
static char load_error[512];
static char load_path[256];

static bool resolve(void *lib, const char *symbol, void **out) {
  *out = dlsym(lib, symbol);
  if (*out != NULL) return true;
  const char *why = dlerror();
  snprintf(load_error, sizeof load_error, "%s has no %s: %s", load_path, symbol,
           why != NULL ? why : "symbol not found");
  return false;
}

static void load(void) {
  const char *env = getenv("HIVESTREAM_LIBLZ4");
  const char *path = env != NULL && env[0] != '\0' ? env : DEFAULT_LIBLZ4;
  snprintf(load_path, sizeof load_path, "%s", path);
  if (strcmp(path, "none") == 0) {
    snprintf(load_error, sizeof load_error, "disabled by HIVESTREAM_LIBLZ4=none");
    return;
  }
  /* Local binding: the process may hold another copy of LZ4 (lz4-napi's). */
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    const char *why = dlerror();
    snprintf(load_error, sizeof load_error, "%s", why != NULL ? why : "dlopen failed");
    return;
  }
  void *compress, *decompress, *version_string, *version_number;
  if (!resolve(lib, "LZ4_compress_default", &compress) || !resolve(lib, "LZ4_decompress_safe", &decompress) ||
      !resolve(lib, "LZ4_versionString", &version_string) ||
      !resolve(lib, "LZ4_versionNumber", &version_number)) {
    dlclose(lib);
    return;
  }
  /* POSIX guarantees data and function pointers convert through dlsym. */
  memcpy(&api.compress_default, &compress, sizeof compress);
  memcpy(&api.decompress_safe, &decompress, sizeof decompress);
  memcpy(&api.version_string, &version_string, sizeof version_string);
  memcpy(&api.version_number, &version_number, sizeof version_number);
  loaded = true;
}

const lz4_api *lz4_load(const char **error, const char **path) {
  pthread_once(&load_once, load);
  *path = load_path;
  if (!loaded) {
    *error = load_error;
    return NULL;
  }
  *error = NULL;
  return &api;
}
