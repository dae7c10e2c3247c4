#!/usr/bin/env sh
# Builds and runs sha256_selftest.c without Node: `run.sh` on this machine,
# `run.sh arm64` cross-compiled and run under qemu-aarch64 (Debian packages
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user).
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# read_hash.c is compiled too, without Node headers: the core stays N-API-free.
common="sha256.c sha256_portable.c sha256_select.c cpu_features.c read_hash.c selftest/sha256_selftest.c"
if [ "${1:-}" = arm64 ]; then
  aarch64-linux-gnu-gcc -O2 -std=gnu11 -march=armv8-a+crypto -DHIVESTREAM_HAVE_ARMV8_SHA -c sha256_armv8.c -o "$out/ce.o"
  aarch64-linux-gnu-gcc -O2 -std=gnu11 -DHIVESTREAM_HAVE_ARMV8_SHA $common "$out/ce.o" -pthread -o "$out/selftest"
  qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu max "$out/selftest"
elif [ "$(uname -m)" = aarch64 ]; then
  cc -O2 -std=gnu11 -march=armv8-a+crypto -DHIVESTREAM_HAVE_ARMV8_SHA -c sha256_armv8.c -o "$out/ce.o"
  cc -O2 -std=gnu11 -DHIVESTREAM_HAVE_ARMV8_SHA $common "$out/ce.o" -pthread -o "$out/selftest"
  "$out/selftest"
else
  cc -O2 -std=gnu11 -msha -msse4.1 -DHIVESTREAM_HAVE_SHANI -c sha256_shani.c -o "$out/shani.o"
  cc -O2 -std=gnu11 -DHIVESTREAM_HAVE_SHANI $common "$out/shani.o" -pthread -o "$out/selftest"
  "$out/selftest"
fi
