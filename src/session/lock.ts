// A lock file (O_EXCL) so that simultaneous connects submit exactly one job.
// Works on NFS home directories; a holder that died is detected and replaced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlurmhopError } from '../errors.js';

const STALE_AFTER_MS = 120_000;

interface Holder {
  host: string;
  pid: number;
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

export async function acquireLock(file: string, { timeoutMs = 60_000, sleep = defaultSleep }: LockOptions = {}): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: Holder = { host: os.hostname(), pid: process.pid };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return () => releaseIfMine(file, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStale(file, me.host)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new SlurmhopError('state', `timed out waiting for the lock ${file}`, 'if no other slurmhop command is running, remove that file');
    }
    await sleep(25 * 2 ** Math.min(attempt, 3));
  }
}

function isStale(file: string, host: string): boolean {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    if (holder.host === host && !processExists(holder.pid)) return true;
    return Date.now() - fs.statSync(file).mtimeMs > STALE_AFTER_MS;
  } catch {
    // Unreadable or half-written: old ones are stale, fresh ones are being written.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
}

function releaseIfMine(file: string, me: Holder): void {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    if (holder.host === me.host && holder.pid === me.pid) fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
