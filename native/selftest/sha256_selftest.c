/* Stand-alone check of every SHA-256 implementation usable on this CPU,
 * without Node: FIPS 180-4 vectors, then each implementation against the
 * portable one on many lengths (one and two lanes). Used to verify the
 * arm64 path from an x86 host, under qemu-aarch64 (see docs/NATIVE.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sha256_select.h"

static int failures;

static void hex(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void expect_digest(const sha256_impl *impl, const char *what, const uint8_t *data, size_t len,
                          const char *want) {
  uint8_t d[32];
  char got[65];
  sha256_digest(impl, data, len, d);
  hex(d, got);
  if (strcmp(got, want) != 0) {
    printf("FAIL %s %s: %s\n", impl->name, what, got);
    failures++;
  }
}

int main(void) {
  static const char *abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const sha256_impl *impls[4];
  size_t big = 1000000;
  uint8_t *a = malloc(big), *r = malloc(big);
  uint32_t x = 12345;

  sha256_select_init();
  int n = sha256_usable(impls, 4);
  memset(a, 'a', big);
  for (size_t i = 0; i < big; i++) r[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);

  for (int i = 0; i < n; i++) {
    const sha256_impl *impl = impls[i];
    expect_digest(impl, "empty", (const uint8_t *)"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_digest(impl, "abc", (const uint8_t *)"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect_digest(impl, "448-bit", (const uint8_t *)abc448, strlen(abc448),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    expect_digest(impl, "million a", a, big, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    for (size_t len = 0; len <= 1100; len += (len < 300 ? 1 : 37)) {
      uint8_t want[32], got[32], got2[32];
      sha256_digest(&sha256_impl_portable, r, len, want);
      sha256_digest(impl, r, len, got);
      sha256_digest_x2(impl, r, len, got, r + 7, big - 7 - len, got2);
      if (memcmp(want, got, 32) != 0) {
        printf("FAIL %s length %zu\n", impl->name, len);
        failures++;
      }
      sha256_digest(&sha256_impl_portable, r + 7, big - 7 - len, want);
      if (memcmp(want, got2, 32) != 0) {
        printf("FAIL %s x2 second lane, length %zu\n", impl->name, big - 7 - len);
        failures++;
      }
    }
    printf("%s: %s\n", impl->name, failures == 0 ? "ok" : "FAILED");
  }
  const cpu_features *cpu = sha256_cpu();
  printf("cpu %s sha=%d; selected %s\n", cpu->arch, cpu->sha, sha256_current()->name);
  free(a);
  free(r);
  return failures == 0 ? 0 : 1;
}
