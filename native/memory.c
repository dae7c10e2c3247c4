/* The ring is a SharedArrayBuffer of tens of MiB, written for the first time
 * by every run that creates one. In 4 KiB pages that is thousands of page
 * faults: touching a fresh 32 MiB region cost ~97 ms here, against ~2 ms with
 * transparent huge pages (THP in "madvise" mode, the common default, only
 * gives them to regions that ask). Advice only: nothing depends on it. */
#include "memory.h"

#include <stdint.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)

napi_value advise_huge_pages(napi_env env, napi_callback_info info) {
  static const char fn[] = "adviseHugePages";
  napi_value argv[1];
  byte_span buf;
  if (!args_get(env, info, 1, argv, fn) || !args_bytes(env, argv[0], fn, "buffer", &buf)) return NULL;
  double advised = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  /* Only whole huge pages inside the buffer: advice must not reach memory
   * the buffer does not own. */
  uintptr_t start = ((uintptr_t)buf.data + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t end = ((uintptr_t)buf.data + buf.size) & ~(HUGE_PAGE - 1);
  if (end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0) advised = (double)(end - start);
#endif
  napi_value result;
  napi_create_double(env, advised, &result);
  return result;
}
