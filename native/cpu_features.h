/* What the CPU can do, read once (CPUID on x86, the auxiliary vector on arm64). */
#ifndef HIVESTREAM_CPU_FEATURES_H
#define HIVESTREAM_CPU_FEATURES_H

#include <stdbool.h>

typedef struct cpu_features {
  const char *arch; /* "x64", "arm64" or "other" */
  bool sha;         /* SHA-256 instructions: x86 SHA extensions, or ARMv8 SHA2 */
  bool sse41;
  bool ssse3;
} cpu_features;

void cpu_features_detect(cpu_features *out);

#endif
