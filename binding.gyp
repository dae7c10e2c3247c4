# hivestream_native: plain C against node_api.h. The CPU-specific SHA-256
# code is a separate static library so that only it is compiled with the
# instruction-set flags (gyp has no per-file flags); the addon calls it only
# after runtime CPU detection says the instructions exist.
{
  "target_defaults": {
    "cflags": ["-O3", "-fPIC", "-std=gnu11"],
    "cflags!": ["-O2"],
    "xcode_settings": {
      "GCC_OPTIMIZATION_LEVEL": "3",
      "OTHER_CFLAGS": ["-std=gnu11"]
    }
  },
  "targets": [
    {
      "target_name": "hivestream_native",
      "sources": [
        "native/addon.c",
        "native/args.c",
        "native/cpu_features.c",
        "native/features.c",
        "native/lz4_calls.c",
        "native/lz4_dyn.c",
        "native/memory.c",
        "native/read_hash.c",
        "native/sha256.c",
        "native/sha256_calls.c",
        "native/sha256_portable.c",
        "native/sha256_select.c",
        "native/state.c"
      ],
      "libraries": ["-ldl", "-lpthread"],
      "conditions": [
        ["target_arch=='x64'", {
          "defines": ["HIVESTREAM_HAVE_SHANI"],
          "dependencies": ["hivestream_sha256_shani"]
        }],
        ["target_arch=='arm64'", {
          "defines": ["HIVESTREAM_HAVE_ARMV8_SHA"],
          "dependencies": ["hivestream_sha256_armv8"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [{
        "target_name": "hivestream_sha256_shani",
        "type": "static_library",
        "sources": ["native/sha256_shani.c"],
        "defines": ["HIVESTREAM_HAVE_SHANI"],
        "cflags": ["-msha", "-msse4.1"],
        "xcode_settings": { "OTHER_CFLAGS": ["-msha", "-msse4.1"] }
      }]
    }],
    ["target_arch=='arm64'", {
      "targets": [{
        "target_name": "hivestream_sha256_armv8",
        "type": "static_library",
        "sources": ["native/sha256_armv8.c"],
        "defines": ["HIVESTREAM_HAVE_ARMV8_SHA"],
        "cflags": ["-march=armv8-a+crypto"],
        "xcode_settings": { "OTHER_CFLAGS": ["-march=armv8-a+crypto"] }
      }]
    }]
  ]
}
