#include "cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6) /* from <asm/hwcap.h>, spelled out for old headers */
#endif
#endif

void cpu_features_detect(cpu_features *out) {
  out->arch = "other";
  out->sha = false;
  out->sse41 = false;
  out->ssse3 = false;
#if defined(__x86_64__)
  unsigned eax, ebx, ecx, edx;
  out->arch = "x64";
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
    out->ssse3 = (ecx & (1u << 9)) != 0;
    out->sse41 = (ecx & (1u << 19)) != 0;
  }
  /* Leaf 7 exists only if the maximum basic leaf says so. */
  if (__get_cpuid_max(0, 0) >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    out->sha = (ebx & (1u << 29)) != 0;
  }
#elif defined(__aarch64__)
  out->arch = "arm64";
#if defined(__linux__)
  out->sha = (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
#elif defined(__APPLE__)
  out->sha = true; /* every Apple arm64 core has the SHA-2 instructions */
#endif
#endif
}
