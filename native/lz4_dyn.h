/* liblz4, loaded at run time with dlopen so that neither its headers nor the
 * library are needed to build, and hashing still works where it is missing.
 * Only the block API (the format of lz4_flex's compress_prepend_size) is used. */
#ifndef HIVESTREAM_LZ4_DYN_H
#define HIVESTREAM_LZ4_DYN_H

#include <stdbool.h>

/* Limits of the LZ4 block API (LZ4_MAX_INPUT_SIZE in lz4.h). */
#define HS_LZ4_MAX_INPUT_SIZE 0x7E000000

typedef struct lz4_api {
  int (*compress_default)(const char *src, char *dst, int src_size, int dst_capacity);
  int (*decompress_safe)(const char *src, char *dst, int compressed_size, int dst_capacity);
  const char *(*version_string)(void);
  int (*version_number)(void);
} lz4_api;

/* Loads the library once per process. Returns the API, or NULL with *error
 * (static text) saying why. HIVESTREAM_LIBLZ4 names the file to load
 * instead of liblz4.so.1; HIVESTREAM_LIBLZ4=none disables LZ4. */
const lz4_api *lz4_load(const char **error, const char **path);

#endif
