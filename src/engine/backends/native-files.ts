// Where the native addon can come from, best first: a build from source in
// build/Release (npm rebuild, or an install that had to compile), then a
// prebuilt binary shipped in the package under prebuilds/ (the layout of
// prebuildify and node-gyp-build: prebuilds/<platform>-<arch>/<name>.<tags>.node).
// The addon uses N-API 8 only, so one prebuild serves every Node version
// with N-API 8 or later; the tags say which C library it was linked against.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export type AddonOrigin = 'source' | 'prebuild';

export interface AddonFile {
  origin: AddonOrigin;
  /** Path relative to the package root, POSIX separators. */
  file: string;
}

/** What a prebuild must match here. */
export interface Runtime {
  platform: string;
  arch: string;
  /** 'glibc' or 'musl' on Linux; undefined elsewhere. */
  libc: 'glibc' | 'musl' | undefined;
  napi: number;
  /** process.versions.modules: the ABI of non-N-API builds (tag abiNN). */
  abi: string;
  /** ARM version for 32-bit ARM builds (tag armvN). */
  armv: string | undefined;
}

export const SOURCE_BUILD = 'build/Release/hivestream_native.node';
export const PREBUILD_DIR = 'prebuilds';
/** N-API version the addon is compiled against (native/args.h NAPI_VERSION). */
export const ADDON_NAPI_VERSION = 8;

/** The C library this Node runs on: glibc exposes its version in the process report. */
export function detectLibc(): Runtime['libc'] {
  if (process.platform !== 'linux') return undefined;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc';
}

export function currentRuntime(): Runtime {
  const variables = (process.config as { variables?: { arm_version?: string | number } }).variables;
  return {
    platform: process.platform,
    arch: process.arch,
    libc: detectLibc(),
    napi: Number(process.versions.napi ?? 0),
    abi: process.versions.modules,
    armv: process.arch === 'arm' && variables?.arm_version !== undefined ? String(variables.arm_version) : undefined,
  };
}

/** The platform folder under prebuilds/ for a runtime. */
export function prebuildFolder(rt: Pick<Runtime, 'platform' | 'arch'>): string {
  return `${rt.platform}-${rt.arch}`;
}

/** The file name prebuild.mjs gives the prebuild of this runtime. */
export function prebuildName(rt: Pick<Runtime, 'libc'>): string {
  return ['hivestream', 'napi', ...(rt.libc === undefined ? [] : [rt.libc]), 'node'].join('.');
}

interface Tags {
  specificity: number;
  runtime?: string;
  napi?: boolean;
  abi?: string;
  libc?: string;
  armv?: string;
}

/** node-gyp-build's reading of a prebuild's file name: <name>.<tag>...<tag>.node. */
function parseTags(file: string): Tags | undefined {
  const parts = file.split('.');
  if (parts.pop() !== 'node') return undefined;
  const tags: Tags = { specificity: 0 };
  for (const tag of parts) {
    if (tag === 'node' || tag === 'electron' || tag === 'node-webkit') tags.runtime = tag;
    else if (tag === 'napi') tags.napi = true;
    else if (tag.startsWith('abi')) tags.abi = tag.slice(3);
    else if (tag.startsWith('armv')) tags.armv = tag.slice(4);
    else if (tag === 'glibc' || tag === 'musl') tags.libc = tag;
    else continue;
    tags.specificity++;
  }
  return tags;
}

/** Why a prebuild does not fit this runtime, or undefined when it does. */
function misfit(tags: Tags, rt: Runtime): string | undefined {
  if (tags.runtime !== undefined && tags.runtime !== 'node') return `built for ${tags.runtime}`;
  if (tags.napi === true) {
    if (rt.napi < ADDON_NAPI_VERSION) return `needs N-API ${ADDON_NAPI_VERSION}, this Node has ${rt.napi}`;
  } else if (tags.abi !== rt.abi) {
    return tags.abi === undefined ? 'neither an N-API nor an ABI-tagged build' : `built for ABI ${tags.abi}, this Node has ${rt.abi}`;
  }
  if (tags.libc !== undefined && tags.libc !== rt.libc) return `linked against ${tags.libc}, this system uses ${rt.libc ?? 'no Linux libc'}`;
  if (tags.armv !== undefined && rt.armv !== undefined && tags.armv !== rt.armv) return `built for ARMv${tags.armv}, this CPU is ARMv${rt.armv}`;
  return undefined;
}

/**
 * The addon files to try, best first, and why other prebuilds in this
 * platform's folder were passed over. `names` lists the folder (empty when
 * there is none); `runtime` is asked for only when there are names to match
 * (finding the C library takes a few milliseconds).
 */
export function addonCandidates(here: Pick<Runtime, 'platform' | 'arch'>, names: string[], runtime: () => Runtime): { files: AddonFile[]; passedOver: string[] } {
  const folder = `${PREBUILD_DIR}/${prebuildFolder(here)}`;
  const passedOver: string[] = [];
  const fitting: Array<{ file: string; specificity: number }> = [];
  const rt = names.length === 0 ? undefined : runtime();
  for (const name of [...names].sort()) {
    if (rt === undefined) break;
    const tags = parseTags(name);
    if (tags === undefined) continue;
    const why = misfit(tags, rt);
    if (why === undefined) fitting.push({ file: `${folder}/${name}`, specificity: tags.specificity });
    else passedOver.push(`${folder}/${name}: ${why}`);
  }
  fitting.sort((a, b) => b.specificity - a.specificity);
  return { files: [{ origin: 'source', file: SOURCE_BUILD }, ...fitting.map((f) => ({ origin: 'prebuild' as const, file: f.file }))], passedOver };
}

/** The names in the package's prebuild folder for this runtime (undefined when there is none). */
export function listPrebuilds(root: string, rt: Pick<Runtime, 'platform' | 'arch'>): string[] | undefined {
  try {
    return readdirSync(join(root, PREBUILD_DIR, prebuildFolder(rt)));
  } catch {
    return undefined;
  }
}
