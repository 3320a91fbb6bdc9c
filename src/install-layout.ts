// Where `remote` lives on the cluster (DESIGN.md "Contract"): under one root,
// the front (a small generated bash script, what the ProxyCommand runs) and,
// beside it, the single executable it starts for anything but the warm path.
// The root is ~/.local, or a directory setup chose where the home is noexec.
import path from 'node:path';

/** The front, relative to the root: what users and the ProxyCommand run. */
export const FRONT_IN_ROOT = 'bin/remote';
/** The single executable (Node inside), relative to the root. */
export const EXECUTABLE_IN_ROOT = 'lib/slurmhop/remote';
/** The root when the home allows executables, relative to the home. */
export const DEFAULT_ROOT = '.local';
/** The front's path relative to the home for the default root: where every login shell starts. */
export const DEFAULT_FRONT = `${DEFAULT_ROOT}/${FRONT_IN_ROOT}`;
/** The executable from the front's directory (the front finds it there). */
export const EXECUTABLE_FROM_FRONT_DIR = path.posix.relative(path.posix.dirname(FRONT_IN_ROOT), EXECUTABLE_IN_ROOT);

export const frontOf = (root: string) => path.posix.join(root, FRONT_IN_ROOT);
export const executableOf = (root: string) => path.posix.join(root, EXECUTABLE_IN_ROOT);

/** The root of an installed executable, undefined for one that is not in the layout (a build's dist/, a test's copy). */
export function rootOfExecutable(executable: string): string | undefined {
  const suffix = `/${EXECUTABLE_IN_ROOT}`;
  return executable.endsWith(suffix) ? executable.slice(0, -suffix.length) || '/' : undefined;
}

/** The root of a front path (absolute, or relative to the home), undefined for a path not in the layout. */
export function rootOfFront(front: string): string | undefined {
  const suffix = `/${FRONT_IN_ROOT}`;
  return front.endsWith(suffix) ? front.slice(0, -suffix.length) || '/' : undefined;
}
