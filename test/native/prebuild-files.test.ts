// Which addon files the loader tries, and which prebuilds fit a runtime
// (node-gyp-build's reading of prebuildify file names).
import { describe, expect, it } from 'vitest';
import { addonCandidates, currentRuntime, prebuildName, type Runtime } from '../../dist/engine/backends/native-files.js';

const glibc: Runtime = { platform: 'linux', arch: 'x64', libc: 'glibc', napi: 9, abi: '115', armv: undefined };
const here = { platform: 'linux', arch: 'x64' };

describe('addon candidates', () => {
  it('a build from source first, then the fitting prebuilds, most specific first', () => {
    const { files, passedOver } = addonCandidates(here, ['hivestream.napi.node', 'hivestream.napi.glibc.node', 'README', 'hivestream.napi.musl.node'], () => glibc);
    expect(files).toEqual([
      { origin: 'source', file: 'build/Release/hivestream_native.node' },
      { origin: 'prebuild', file: 'prebuilds/linux-x64/hivestream.napi.glibc.node' },
      { origin: 'prebuild', file: 'prebuilds/linux-x64/hivestream.napi.node' },
    ]);
    expect(passedOver).toEqual(['prebuilds/linux-x64/hivestream.napi.musl.node: linked against musl, this system uses glibc']);
  });

  it('says why a prebuild does not fit: N-API too old, another ABI, another runtime', () => {
    const old = addonCandidates(here, ['hivestream.napi.glibc.node', 'hivestream.abi108.glibc.node', 'hivestream.electron.napi.node'], () => ({ ...glibc, napi: 7 }));
    expect(old.files).toHaveLength(1);
    expect(old.passedOver).toEqual([
      'prebuilds/linux-x64/hivestream.abi108.glibc.node: built for ABI 108, this Node has 115',
      'prebuilds/linux-x64/hivestream.electron.napi.node: built for electron',
      'prebuilds/linux-x64/hivestream.napi.glibc.node: needs N-API 8, this Node has 7',
    ]);
    expect(addonCandidates(here, ['hivestream.abi115.node'], () => glibc).files.at(-1)).toEqual({ origin: 'prebuild', file: 'prebuilds/linux-x64/hivestream.abi115.node' });
  });

  it('looks up the runtime (and its C library) only when there is a prebuild folder to match', () => {
    let asked = 0;
    addonCandidates(here, [], () => {
      asked++;
      return glibc;
    });
    expect(asked).toBe(0);
  });

  it('this machine: the name prebuild.mjs gives its prebuild fits it', () => {
    const rt = currentRuntime();
    expect(addonCandidates(rt, [prebuildName(rt)], () => rt).passedOver).toEqual([]);
    if (rt.platform === 'linux') expect(['glibc', 'musl']).toContain(rt.libc);
  });
});
