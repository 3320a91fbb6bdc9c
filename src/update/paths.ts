// Where the updater keeps its files, under the state dir (DESIGN.md "Contract").
import path from 'node:path';

export interface UpdatePaths {
  dir: string;
  /** One directory per installed release: versions/X.Y.Z/{remote.cjs,release.json,release.json.sig}. */
  versions: string;
  /** Downloads and self-checks happen here, on the same filesystem, then one rename installs. */
  staging: string;
  /** Which installed release runs (absent: the executable's built-in copy). */
  current: string;
  /** When the last background check was started and how the last check ended. */
  checks: string;
  lock: string;
  log: string;
}

export function updatePaths(stateDir: string): UpdatePaths {
  const dir = path.join(stateDir, 'update');
  return {
    dir,
    versions: path.join(dir, 'versions'),
    staging: path.join(dir, 'staging'),
    current: path.join(dir, 'current.json'),
    checks: path.join(dir, 'checks.json'),
    lock: path.join(dir, 'lock'),
    log: path.join(dir, 'update.log'),
  };
}

export const versionDir = (paths: UpdatePaths, version: string) => path.join(paths.versions, version);

/** The files of a release, in its git tree and in a versions/ directory alike. */
export const RELEASE_FILES = {
  bundle: 'remote.cjs',
  manifest: 'release.json',
  signature: 'release.json.sig',
} as const;

/** The opt-out file: its presence turns automatic checks off, whatever config.ini says. */
export const OPT_OUT_FILE = 'no-auto-update';
