// Small filesystem helpers shared by the login-node and in-job sides.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
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

/**
 * Write a file so that readers see either the old or the whole new content.
 * The temporary name carries the host and random bytes: login nodes that
 * share the home may run writers with the same pid.
 */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${os.hostname()}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
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

/**
 * Opens a file to read and hands its descriptor to `use`; undefined when it
 * cannot be opened, or is removed between the open and the use. On a shared
 * home another host's unlink makes the open descriptor fail: ESTALE on NFS,
 * ENOENT through FUSE.
 */
export function withOpenFile<T>(file: string, use: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    return use(fd);
  } catch (err) {
    if (REMOVED_WHILE_OPEN.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

const REMOVED_WHILE_OPEN = new Set(['ENOENT', 'ESTALE']);

/** What is at a path, without throwing: a regular file, a directory, or an executable file. */
export function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

export function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return isFile(file);
  } catch {
    return false;
  }
}

/** `program` in the absolute directories of PATH, as a shell would find it. */
export function findOnPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '')
    .split(':')
    .filter((dir) => dir.startsWith('/'))
    .map((dir) => `${dir}/${program}`)
    .find(isExecutableFile);
}
