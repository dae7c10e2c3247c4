/* Memory advice for the shared ring. */
#ifndef HIVESTREAM_MEMORY_H
#define HIVESTREAM_MEMORY_H

#include "args.h"

/* adviseHugePages(buffer): asks the kernel to back the buffer's whole 2 MiB
 * pages with transparent huge pages. Returns the bytes advised (0 where the
 * system offers no such advice or refuses it). */
napi_value advise_huge_pages(napi_env env, napi_callback_info info);

#endif
