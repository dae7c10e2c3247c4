#include "sha256_select.h"

#include <pthread.h>
#include <string.h>

const sha256_impl sha256_impl_portable = {"portable", sha256_blocks_portable, NULL};
#if defined(HIVESTREAM_HAVE_SHANI)
static const sha256_impl sha256_impl_shani = {"sha-ni", sha256_blocks_shani, sha256_blocks_shani_x2};
#endif
#if defined(HIVESTREAM_HAVE_ARMV8_SHA)
static const sha256_impl sha256_impl_armv8 = {"armv8-ce", sha256_blocks_armv8, NULL};
#endif

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static cpu_features cpu;
/* Read by every hashing call on any thread; written at load and by tests. */
static const sha256_impl *_Atomic current = &sha256_impl_portable;

int sha256_usable(const sha256_impl *out[], int max) {
  int n = 0;
#if defined(HIVESTREAM_HAVE_SHANI)
  if (n < max && cpu.sha && cpu.sse41 && cpu.ssse3) out[n++] = &sha256_impl_shani;
#endif
#if defined(HIVESTREAM_HAVE_ARMV8_SHA)
  if (n < max && cpu.sha) out[n++] = &sha256_impl_armv8;
#endif
  if (n < max) out[n++] = &sha256_impl_portable;
  return n;
}

static void detect(void) {
  const sha256_impl *usable[4];
  cpu_features_detect(&cpu);
  sha256_usable(usable, 4);
  current = usable[0];
}

void sha256_select_init(void) { pthread_once(&detect_once, detect); }

const cpu_features *sha256_cpu(void) { return &cpu; }

const sha256_impl *sha256_current(void) { return current; }

bool sha256_select(const char *name) {
  const sha256_impl *usable[4];
  int n = sha256_usable(usable, 4);
  if (strcmp(name, "auto") == 0) {
    current = usable[0];
    return true;
  }
  for (int i = 0; i < n; i++) {
    if (strcmp(usable[i]->name, name) == 0) {
      current = usable[i];
      return true;
    }
  }
  return false;
}
