// Small filesystem helpers shared by the login-node and in-job sides.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from './errors.js';

/**
 * A directory private to the user: created 0700, and an existing one must be
 * ours and not a symlink (someone else's directory could read our secrets);
 * its mode is tightened to 0700.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new SlurmhopError('state', `${dir} is not a directory (a symlink?)`, 'remove it; slurmhop creates it again');
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new SlurmhopError('state', `${dir} belongs to uid ${st.uid}, not to you`, 'remove it or fix its owner');
  }
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}

/** Write a file so that readers see either the old or the whole new content. */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

export function readFileOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
