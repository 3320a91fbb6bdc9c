// A lock file (O_EXCL) so that simultaneous connects submit exactly one job.
// Works on NFS home directories; a holder that died is detected and replaced.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlurmhopError } from '../errors.js';

/** Holders refresh the file's time this often, so only a dead holder's lock grows old. */
const REFRESH_MS = 10_000;
const STALE_AFTER_MS = 6 * REFRESH_MS;
/** Longer than the longest hold (squeue + sbatch, 60 s each at worst). */
const DEFAULT_TIMEOUT_MS = 180_000;

interface Holder {
  host: string;
  pid: number;
  nonce: string;
}

export interface LockOptions {
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function withLock<T>(file: string, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireLock(file, options);
  try {
    return await body();
  } finally {
    release();
  }
}

export async function acquireLock(file: string, { timeoutMs = DEFAULT_TIMEOUT_MS, sleep = defaultSleep }: LockOptions = {}): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: Holder = { host: os.hostname(), pid: process.pid, nonce: crypto.randomUUID() };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return holding(file, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const stale = staleHolder(file, me.host);
    if (stale && removeIfStill(file, stale)) continue;
    if (Date.now() > deadline) {
      throw new SlurmhopError('state', `timed out waiting for the lock ${file}`, 'if no other slurmhop command is running, remove that file');
    }
    await sleep(25 * 2 ** Math.min(attempt, 3));
  }
}

function holding(file: string, me: Holder): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now, () => {});
  }, REFRESH_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (readHolder(file)?.nonce === me.nonce) fs.rmSync(file, { force: true });
  };
}

/** The holder recorded in a lock file that is stale, or undefined. */
function staleHolder(file: string, host: string): Holder | 'unreadable' | undefined {
  let ageMs: number;
  try {
    ageMs = Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined; // just released
  }
  const holder = readHolder(file);
  // Unreadable: being written right now, or left half-written by a crash long ago.
  if (!holder) return ageMs > 5_000 ? 'unreadable' : undefined;
  if (holder.host === host && !processExists(holder.pid)) return holder;
  return ageMs > STALE_AFTER_MS ? holder : undefined;
}

/**
 * Move the lock aside and check it is still the stale one: two waiters that both
 * judged it stale must not delete a fresh lock the faster one just took.
 */
function removeIfStill(file: string, stale: Holder | 'unreadable'): boolean {
  const aside = `${file}.${process.pid}.${crypto.randomUUID()}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return true; // already gone: try to take it
  }
  const moved = readHolder(aside);
  const same = stale === 'unreadable' ? moved === undefined : moved?.nonce === stale.nonce;
  if (same) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // We moved a fresh lock: put it back unless someone took the name meanwhile.
  try {
    fs.linkSync(aside, file);
  } catch {
    // the name is taken again: that holder wins, the moved one will find its file gone
  }
  fs.rmSync(aside, { force: true });
  return false;
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** kill(pid, 0) answers EPERM for a process that exists but belongs to someone else. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
