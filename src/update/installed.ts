// The installed releases (versions/X.Y.Z/) and current.json, which says which
// one runs. Read by the launcher on every start, so only fs and crypto here.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import { RELEASE_FILES, versionDir, type UpdatePaths } from './paths.js';
import { MAX_BUNDLE_BYTES, ReleaseRejected, verifyRelease, type Manifest } from './manifest.js';
import { compareVersions, isVersion } from './semver.js';

export interface CurrentState {
  /** The installed release that runs; null: the executable's built-in copy. */
  version: string | null;
  /** What `remote rollback` returns to: a version, or null for the built-in copy; absent: nothing. */
  previous?: string | null;
  /** Run `version` even when the built-in copy is newer (after a rollback or `update --version`). */
  pinned: boolean;
  /** Automatic updates only install releases newer than this (set when going back from it). */
  skipThrough?: string;
  changedAt: string;
}

export interface VerifiedRelease {
  dir: string;
  manifest: Manifest;
  bundle: Buffer;
}

/** current.json, or undefined when there is none or it is unreadable (the built-in copy runs then). */
export function readCurrent(paths: UpdatePaths): CurrentState | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(paths.current, 'utf8'));
  } catch {
    return undefined;
  }
  const s = raw as Partial<CurrentState>;
  const versionOk = (v: unknown) => v === null || (typeof v === 'string' && isVersion(v));
  if (!s || !versionOk(s.version) || (s.previous !== undefined && !versionOk(s.previous))) return undefined;
  return {
    version: s.version ?? null,
    ...(s.previous !== undefined ? { previous: s.previous } : {}),
    pinned: s.pinned === true,
    ...(typeof s.skipThrough === 'string' && isVersion(s.skipThrough) ? { skipThrough: s.skipThrough } : {}),
    changedAt: typeof s.changedAt === 'string' ? s.changedAt : '',
  };
}

export function writeCurrent(paths: UpdatePaths, state: CurrentState): void {
  writeFileAtomic(paths.current, `${JSON.stringify(state, null, 2)}\n`);
}

/** Which copy a launcher with built-in version `builtin` runs for this state. */
export function chosenVersion(state: CurrentState | undefined, builtin: string): string | null {
  if (!state?.version) return null;
  return state.pinned || compareVersions(state.version, builtin) > 0 ? state.version : null;
}

/** Reads a release directory and verifies it against `key`. Throws ReleaseRejected or an fs error. */
export function readRelease(dir: string, key: string, expectedVersion?: string): VerifiedRelease {
  const file = (name: string) => path.join(dir, name);
  const size = fs.statSync(file(RELEASE_FILES.bundle)).size;
  if (size > MAX_BUNDLE_BYTES) throw new ReleaseRejected(`remote.cjs is larger than ${MAX_BUNDLE_BYTES} bytes`);
  const files = {
    bundle: fs.readFileSync(file(RELEASE_FILES.bundle)),
    manifest: fs.readFileSync(file(RELEASE_FILES.manifest)),
    signature: fs.readFileSync(file(RELEASE_FILES.signature)),
  };
  return { dir, manifest: verifyRelease(files, key, expectedVersion), bundle: files.bundle };
}

export function readInstalled(paths: UpdatePaths, version: string, key: string): VerifiedRelease {
  return readRelease(versionDir(paths, version), key, version);
}

/** Installed version directories, newest first (names that are not versions are ignored). */
export function listInstalled(paths: UpdatePaths): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(paths.versions);
  } catch {
    return [];
  }
  return names.filter(isVersion).sort((a, b) => compareVersions(b, a));
}
