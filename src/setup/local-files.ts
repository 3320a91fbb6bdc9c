// Local files are planned first and written last, each one atomically (a
// temporary file in the same directory, then rename), after a timestamped
// backup of the old content. A symlinked file (dotfiles) is written through
// the link, which stays a link.
import fs from 'node:fs';
import path from 'node:path';
import { setupError } from './errors.js';
import { unifiedDiff } from './diff.js';
import { decodeText } from './text-file.js';

export interface FileChange {
  file: string;
  /** Current content; undefined when the file does not exist. */
  before: string | undefined;
  /** New content; undefined removes the file. */
  after: string | undefined;
  mode: number;
  /** Keep a copy of the old content next to the file before changing it. */
  backup: boolean;
  /** Shown instead of a diff (keys). */
  secret?: boolean;
}

export const changed = (c: FileChange) => c.before !== c.after;

export function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw setupError('local-file', `cannot read ${file}: ${(err as Error).message}`, 'nothing was written');
  }
}

/** A text file's content (BOM and line endings as decodeText reads them), undefined when it does not exist. */
export function readText(file: string): string | undefined {
  const bytes = readIfExists(file);
  return bytes === undefined ? undefined : decodeText(bytes, file);
}

/** `config.slurmhop-backup-20250131T142501Z`, never overwriting an older backup. */
export function backupName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `${file}.slurmhop-backup-${stamp}`;
  for (let n = 2; fs.existsSync(name); n++) name = `${file}.slurmhop-backup-${stamp}-${n}`;
  return name;
}

export interface AppliedChange {
  file: string;
  backup?: string | undefined;
}

/** Another program changed a file between the plan and the write: the plan is made again from what is there now. */
export class ChangedMeanwhile extends Error {
  constructor(readonly file: string) {
    super(`${file} changed while setup ran`);
  }
}

const LOCK_WAIT_MS = 15_000;
/** A lock older than this was left by a setup that died: taken over. */
const LOCK_STALE_MS = 60_000;

/**
 * Runs `fn` while holding a lock on `file` (a directory beside it, made
 * atomically), so that two setups at once edit it one after the other.
 */
export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${resolveLink(file)}.slurmhop-lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  fs.mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      fs.mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw setupError('write', `cannot lock ${file}: ${(err as Error).message}`, "check its directory's permissions");
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw setupError('write', `${file} stays locked by another setup (${lock})`, 'wait for it to finish; if none runs, remove that directory');
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** applyChange, after checking (under the file's lock) that the file is still what the plan read. */
export function applyIfUnchanged(change: FileChange, now: Date): AppliedChange | undefined {
  if (!changed(change)) return undefined;
  return withFileLock(change.file, () => {
    // A secret's content is not in the plan: whether it exists is what the plan read.
    const same = change.secret ? fs.existsSync(change.file) === (change.before !== undefined) : readText(change.file) === change.before;
    if (!same) throw new ChangedMeanwhile(change.file);
    return applyChange(change, now);
  });
}

export function applyChange(change: FileChange, now: Date): AppliedChange | undefined {
  if (!changed(change)) return undefined;
  const target = resolveLink(change.file);
  try {
    let backup: string | undefined;
    if (change.before !== undefined && change.backup) {
      backup = backupName(target, now);
      fs.copyFileSync(target, backup, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(backup, fs.statSync(target).mode & 0o777);
    }
    if (change.after === undefined) {
      // A link goes as a link: what it points to (a dotfiles repository, a key kept elsewhere) stays.
      fs.rmSync(change.file, { force: true });
      return { file: change.file, backup };
    }
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    writeAtomic(target, change.after, change.before === undefined ? change.mode : fs.statSync(target).mode & 0o777);
    return { file: change.file, backup };
  } catch (err) {
    if ((err as { kind?: string }).kind) throw err;
    throw setupError('write', `cannot write ${change.file}: ${(err as Error).message}`, 'the file is unchanged; check its directory\'s permissions and free space');
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.slurmhop-${process.pid}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(tmp, mode); // the umask may have narrowed it
    renameWithRetry(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

// Windows: a virus scanner or an editor may hold the file for a moment.
function renameWithRetry(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 10 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

function resolveLink(file: string): string {
  try {
    return fs.lstatSync(file).isSymbolicLink() ? fs.realpathSync(file) : file;
  } catch {
    return file;
  }
}

/** What --dry-run prints for one file. */
export function describeChange(change: FileChange): string {
  if (!changed(change)) return '';
  if (change.after === undefined) return `would remove ${change.file}\n`;
  if (change.secret) return `${change.before === undefined ? 'would create' : 'would replace'} ${change.file} (mode ${change.mode.toString(8)})\n`;
  const backup = change.before !== undefined && change.backup ? ` (after a backup ${change.file}.slurmhop-backup-<time>)` : '';
  const head = change.before === undefined ? `would create ${change.file}\n` : `would change ${change.file}${backup}\n`;
  return head + unifiedDiff(change.before ?? '', change.after, change.before === undefined ? '/dev/null' : change.file, change.file);
}
