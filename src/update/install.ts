// The last step of an update, once a release verified and passed its
// self-check: one rename into versions/, then current.json (itself written by
// rename), then old versions go. Only the running and the previous version are
// kept, so the disk use is bounded by two releases.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import type { UpdateDeps } from './deps.js';
import { listInstalled, readCurrent, writeCurrent, type CurrentState } from './installed.js';
import { versionDir } from './paths.js';
import { compareVersions, tagOf } from './semver.js';

export interface Origin {
  version: string;
  tag: string;
  commit: string;
  repository: string;
  installedAt: string;
}

export const ORIGIN_FILE = 'origin.json';

export function installRelease(
  deps: Pick<UpdateDeps, 'paths' | 'running' | 'now'>,
  release: { version: string; dir: string; commit: string; url: string; pinned: boolean },
): { pruned: string[] } {
  const { paths, running } = deps;
  const { version } = release;
  const origin: Origin = { version, tag: tagOf(version), commit: release.commit, repository: release.url, installedAt: new Date(deps.now()).toISOString() };
  writeFileAtomic(path.join(release.dir, ORIGIN_FILE), `${JSON.stringify(origin, null, 2)}\n`);

  fs.mkdirSync(paths.versions, { recursive: true, mode: 0o700 });
  const target = versionDir(paths, version);
  if (fs.existsSync(target)) {
    const old = path.join(path.dirname(release.dir), 'replaced');
    fs.renameSync(target, old);
  }
  fs.renameSync(release.dir, target);

  const before = readCurrent(paths);
  const runningRef = running.source === 'built-in' ? null : running.version;
  const goingBack = compareVersions(version, running.version) < 0;
  const state: CurrentState = {
    version,
    previous: runningRef === version ? before?.previous ?? null : runningRef,
    pinned: release.pinned,
    ...(goingBack ? { skipThrough: running.version } : {}),
    changedAt: new Date(deps.now()).toISOString(),
  };
  if (state.previous === undefined) delete state.previous;
  writeCurrent(paths, state);
  return { pruned: prune(deps, state) };
}

/** Removes every installed version but the current and the previous one. */
export function prune(deps: Pick<UpdateDeps, 'paths'>, state: CurrentState): string[] {
  const keep = new Set([state.version, state.previous].filter((v): v is string => typeof v === 'string'));
  const removed: string[] = [];
  for (const v of listInstalled(deps.paths)) {
    if (keep.has(v)) continue;
    fs.rmSync(versionDir(deps.paths, v), { recursive: true, force: true });
    removed.push(v);
  }
  return removed;
}

export function readOrigin(dir: string): Origin | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, ORIGIN_FILE), 'utf8')) as Origin;
  } catch {
    return undefined;
  }
}
