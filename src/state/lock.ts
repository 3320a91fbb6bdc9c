// The one lock: a submission per profile, the host key, an image import, an
// update. It must hold on home directories that several login nodes share
// over NFS, whose clocks differ and whose attributes are cached:
// - taking it is one atomic create on the file server: a link(2) of a file
//   that already holds the holder's record, so the lock is never seen empty;
// - the holder touches it every few seconds; a holder on this host that no
//   longer runs is dead at once, any other is dead once its touch has not
//   changed for STALE_AFTER_MS by the observer's own clock (file times are
//   compared with each other, never with a clock: see observe.ts);
// - a dead holder's lock is removed by exactly one process, the one that takes
//   `<lock>.break-<holder's nonce>` (itself such a lock); everyone else goes back
//   to the create, so no two holders can come out of a race over a stale lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SlurmhopError } from '../errors.js';
import { readLock, type Holder, type Seen } from './lock-record.js';
import { fileObservations, memoryObservations, observedStale, type Observations } from './observe.js';

export interface LockOptions {
  /** How long to wait for a live holder (waiting mode). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Below: for tests that play several hosts and clocks. */
  host?: string;
  /** The holder's clock, used only for the touch (observers never compare it with theirs). */
  clock?: () => number;
  refreshMs?: number;
  staleAfterMs?: number;
}

export type Release = () => void;
export type TryResult = { release: Release } | { heldBy: Holder | undefined };

// A holder killed on another login node holds the others up this long (no
// process check reaches that host); a live holder touches five times in it.
const REFRESH_MS = 3_000;
const STALE_AFTER_MS = 5 * REFRESH_MS;
/** Longer than the longest hold of a session lock (squeue + sbatch, 60 s each at worst). */
const DEFAULT_TIMEOUT_MS = 180_000;

/** Waits for the lock; a state error when a live holder keeps it past the timeout. */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<Release> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, sleep = defaultSleep } = options;
  const deadline = Date.now() + timeoutMs;
  // A waiter watches the holder itself, in memory, across its polls.
  const observations = memoryObservations();
  for (let attempt = 0; ; attempt++) {
    const result = tryLock(file, options, observations);
    if ('release' in result) return result.release;
    if (Date.now() > deadline) {
      throw new SlurmhopError('state', `timed out waiting for the lock ${file} (held by ${describeHolder(result.heldBy)})`, 'if no other slurmhop command is running, remove that file');
    }
    await sleep(25 * 2 ** Math.min(attempt, 3));
  }
}

export async function withLock<T>(file: string, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireLock(file, options);
  try {
    return await body();
  } finally {
    release();
  }
}

/**
 * Takes the lock if it is free or its holder is dead; never waits. Without a
 * waiter's own observations, what this host saw is kept beside the lock.
 */
export function tryLock(file: string, options: LockOptions = {}, observations: Observations = fileObservations(options.host)): TryResult {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const host = options.host ?? os.hostname();
  const me: Holder = { host, pid: process.pid, nonce: crypto.randomUUID(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file, me)) {
      observations.forget(file);
      return { release: holding(file, me, options) };
    }
    const seen = readLock(file);
    if (!seen) continue; // released meanwhile
    const dead = (seen.holder?.host === host && !processExists(seen.holder.pid)) || observedStale(observations, file, seen, options.staleAfterMs ?? STALE_AFTER_MS);
    if (!dead || !breakLock(file, seen, options, observations)) return { heldBy: seen.holder };
  }
  return { heldBy: readLock(file)?.holder };
}

export function describeHolder(holder: Holder | undefined): string {
  return holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
}

/**
 * One atomic create that never shows an empty lock: link(2) of a complete
 * file. Over NFS a retransmitted link can report EEXIST for the link it made:
 * the link count tells.
 */
function create(file: string, me: Holder): boolean {
  const tmp = `${file}.${me.nonce}.new`;
  fs.writeFileSync(tmp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.statSync(tmp).nlink === 2;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function holding(file: string, me: Holder, { clock = Date.now, refreshMs = REFRESH_MS }: LockOptions): Release {
  const touch = () => {
    const now = new Date(clock());
    fs.utimes(file, now, now, () => {});
  };
  const timer = setInterval(touch, refreshMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (readLock(file)?.holder?.nonce === me.nonce) fs.rmSync(file, { force: true });
  };
}

/**
 * Removes a dead holder's lock, once: only the taker of the break lock for
 * that holder may, and only if the lock is still that holder's.
 */
function breakLock(file: string, seen: Seen, options: LockOptions, observations: Observations): boolean {
  const breaker = tryLock(`${file}.break-${seen.identity}`, options, observations);
  if (!('release' in breaker)) return false;
  try {
    if (readLock(file)?.identity === seen.identity) fs.rmSync(file, { force: true });
    return true;
  } finally {
    breaker.release();
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
