# hivestream in a container, as used by the Kubernetes and Slurm examples in
# docs/CONVERT.md:
#
#   docker build -t registry.example.com/hivestream:0.1.0 .
#   docker run --rm -v "$PWD:/data" registry.example.com/hivestream:0.1.0 pack /data/in.bin -o /data/in.hvs
#
# Two stages: the package is built (TypeScript, and the native addon compiled
# into its prebuild) where there is a compiler, then installed from its
# tarball, as from the registry, on a slim Node 20 image without one.

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The install script would compile the addon here; prepack does it below, for the prebuild.
RUN npm ci --ignore-scripts
COPY . .
# prepack: npm run build, then scripts/prebuild.mjs (compiles prebuilds/linux-<arch>/hivestream.napi.glibc.node).
RUN mkdir -p /pkg && npm pack --pack-destination /pkg

FROM node:20-bookworm-slim
# liblz4 for the native LZ4 back end (the addon opens liblz4.so.1 at run time); no compiler.
RUN apt-get update \
 && apt-get install -y --no-install-recommends liblz4-1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /pkg/ /tmp/pkg/
# The install script finds the prebuild loads here and compiles nothing.
RUN npm install -g /tmp/pkg/hivestream-*.tgz --foreground-scripts --no-audit --no-fund \
 && rm -rf /tmp/pkg
# Fail the build if the image would run on the portable back ends.
RUN HIVESTREAM_CALIBRATION_CACHE=0 hivestream info --json \
    | node -e 'const i = JSON.parse(require("fs").readFileSync(0, "utf8")); if (!i.native.available || i.fallbacks.length > 0) { console.error("native addon not in use:", i.native.reason ?? JSON.stringify(i.fallbacks)); process.exit(1); } console.log("native addon:", i.native.origin, i.native.file)'
USER node
WORKDIR /data
ENTRYPOINT ["hivestream"]
CMD ["--help"]
