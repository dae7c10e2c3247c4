/* Which SHA-256 implementation the addon uses: chosen once at load from the
 * CPU features, and switchable (process-wide) so tests can pin one. */
#ifndef HIVESTREAM_SHA256_SELECT_H
#define HIVESTREAM_SHA256_SELECT_H

#include <stdbool.h>

#include "cpu_features.h"
#include "sha256.h"

extern const sha256_impl sha256_impl_portable;

/* Detects the CPU (first call only) and selects the best implementation. */
void sha256_select_init(void);
const cpu_features *sha256_cpu(void);
const sha256_impl *sha256_current(void);

/* "auto" re-selects the best; otherwise the named implementation, which
 * must be compiled in and supported by this CPU. Returns false if not. */
bool sha256_select(const char *name);

/* The implementations usable here, best first; returns how many. */
int sha256_usable(const sha256_impl *out[], int max);

#endif
