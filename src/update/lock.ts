// One updater at a time: a lock file created with O_EXCL (works on NFS homes).
// A holder that died, or one older than any update can take, is replaced.
// Callers never wait for it: a background check just leaves, and a manual
// `remote update` says who holds it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const STALE_AFTER_MS = 30 * 60_000;

export interface LockHolder {
  host: string;
  pid: number;
  since: string;
}

export type LockResult = { release: () => void } | { heldBy: LockHolder | undefined };

export function tryLock(file: string, now = Date.now()): LockResult {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const me: LockHolder = { host: os.hostname(), pid: process.pid, since: new Date(now).toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return { release: () => releaseIfMine(file, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (!isStale(file, holder, me.host, now)) return { heldBy: holder };
    fs.rmSync(file, { force: true });
  }
  return { heldBy: readHolder(file) };
}

export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

function isStale(file: string, holder: LockHolder | undefined, host: string, now: number): boolean {
  let age: number;
  try {
    age = now - fs.statSync(file).mtimeMs;
  } catch {
    return true; // gone meanwhile
  }
  if (!holder) return age > 5_000; // unreadable: half-written if fresh
  if (holder.host === host && !alive(holder.pid)) return true;
  return age > STALE_AFTER_MS;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfMine(file: string, me: LockHolder): void {
  const holder = readHolder(file);
  if (holder && holder.host === me.host && holder.pid === me.pid) fs.rmSync(file, { force: true });
}
