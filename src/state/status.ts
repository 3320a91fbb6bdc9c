// What happened to a job, for the proxy, `remote list` and history. The login
// node writes `jobs/<id>/submitted` once; the job appends its own events
// (started, ready, ended) to `jobs/<id>/status`, one JSON object per line.
// One writer per file: appends from two NFS clients may tear.
import fs from 'node:fs';
import path from 'node:path';
import { readFileOrUndefined, writeFileAtomic } from '../fsutil.js';
import { jobDir, jobOutputFile, statusFile } from '../paths.js';
import type { Contact } from './contact.js';

export type EndReason = 'cancelled' | 'time-limit' | 'sshd-failed' | 'sshd-exited' | 'idle' | 'signal' | 'swapped' | 'unclaimed';

export type JobEvent =
  | { event: 'started'; at: string; jobId: string; profile: string; node: string }
  /** The contact itself rides along: a waiter reads one file it made sure to see (watchJob). Absent from older versions. */
  | { event: 'ready'; at: string; jobId: string; profile: string; node: string; port: number; contact?: Contact }
  | { event: 'ended'; at: string; jobId: string; profile: string; reason: EndReason; detail?: string }
  /** The kernel killed processes of the job for its memory limit (job/memory-kills.ts). */
  | { event: 'memory-killed'; at: string; jobId: string; profile: string; kills: number; limitBytes?: number }
  /** renew: the job submitted its successor (job/renew.ts), to start when it ends. */
  | { event: 'renewed'; at: string; jobId: string; profile: string; successor: string; dependency: string }
  /** renew: a successor was due but none was submitted; why, in words. */
  | { event: 'not-renewed'; at: string; jobId: string; profile: string; why: string }
  /** renew: the job ended otherwise than at its time limit, and cancelled its successor. */
  | { event: 'chain-ended'; at: string; jobId: string; profile: string; successor: string; why: string };

export interface Submitted {
  event: 'submitted';
  at: string;
  /** When the sbatch call began (it takes a moment to answer). */
  sbatchAt?: string;
  jobId: string;
  profile: string;
  /**
   * renew: the job this one succeeds (it submitted this one), the start of the
   * chain's first job, this job's place in it (2: the first successor), and
   * the time limits of the chain's jobs before it (seconds).
   */
  renews?: string;
  chainStart?: string;
  link?: number;
  chainHeld?: number;
}

/** What a successor's submitted record says of its chain. */
export type ChainLink = Required<Pick<Submitted, 'renews' | 'chainStart' | 'link' | 'chainHeld'>>;

export type StatusEvent = Submitted | JobEvent;
type Ended = Extract<JobEvent, { event: 'ended' }>;
type Ready = Extract<JobEvent, { event: 'ready' }>;
type MemoryKilled = Extract<JobEvent, { event: 'memory-killed' }>;
type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

const submittedFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'submitted');

/** Whether a connect has recorded this job (a job with none was submitted by an sbatch that got no answer). */
export function hasSubmittedRecord(state: string, jobId: string): boolean {
  return fs.existsSync(submittedFile(state, jobId));
}

export function recordSubmitted(state: string, jobId: string, profile: string, sbatchAt?: Date, chain?: ChainLink): void {
  const event: Submitted = { event: 'submitted', at: new Date().toISOString(), ...(sbatchAt ? { sbatchAt: sbatchAt.toISOString() } : {}), jobId, profile, ...chain };
  writeFileAtomic(submittedFile(state, jobId), `${JSON.stringify(event)}\n`);
}

export function appendStatus(state: string, event: Without<JobEvent, 'at'>): void {
  const line = `${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`;
  fs.appendFileSync(statusFile(state, event.jobId), line, { mode: 0o600 });
}

/** The size of the job's status file now: `readStatus(..., since)` later reads only what came after. */
export function statusSize(state: string, jobId: string): number {
  return fs.statSync(statusFile(state, jobId), { throwIfNoEntry: false })?.size ?? 0;
}

/** The job's own events written after `since` bytes of its status file. */
export function statusSince(state: string, jobId: string, since: number): StatusEvent[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(statusFile(state, jobId));
  } catch {
    return [];
  }
  return parseEvents(bytes.subarray(since).toString('utf8'));
}

/** The submitted record (if any), then the job's events in order. */
export function readStatus(state: string, jobId: string): StatusEvent[] {
  return parseEvents(`${readFileOrUndefined(submittedFile(state, jobId)) ?? ''}${readFileOrUndefined(statusFile(state, jobId)) ?? ''}`);
}

function parseEvents(text: string): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as StatusEvent);
    } catch {
      // a torn line from a crash: skip it
    }
  }
  return events;
}

/** The end of the job's latest run (a requeued job starts again). */
export function endedEvent(state: string, jobId: string): Ended | undefined {
  return endOf(readStatus(state, jobId));
}

/** The end of a job's events, counted from its last start (a requeued job starts again). */
export function endOf(events: StatusEvent[]): Ended | undefined {
  return lastRun(events).findLast((e): e is Ended => e.event === 'ended');
}

/** The contact the job's latest run announced with its ready event, if it has not ended since. */
export function readyContactOf(events: StatusEvent[]): Contact | undefined {
  const run = lastRun(events);
  if (run.some((e) => e.event === 'ended')) return undefined;
  return run.findLast((e): e is Ready => e.event === 'ready')?.contact;
}

function lastRun(events: StatusEvent[]): StatusEvent[] {
  const lastStart = events.map((e) => e.event).lastIndexOf('started');
  return events.slice(Math.max(lastStart, 0));
}

/**
 * Before waiting for what a job writes (its events, its output): on a network
 * home a name this host looked up while it was missing stays missing here for
 * up to a minute (NFS acdirmin..acdirmax), even after the job's node created
 * it. Creating the names first (O_CREAT, nothing written, nothing truncated)
 * makes this host's lookups positive; only the contents change after that,
 * and every open revalidates them (close-to-open). Never throws: a waiter
 * that cannot create them polls as before.
 */
export function watchJob(state: string, jobId: string, output = true): void {
  for (const file of [statusFile(state, jobId), ...(output ? [jobOutputFile(state, jobId)] : [])]) {
    try {
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    } catch {
      // the job's directory not made yet by this host, or a full home
    }
  }
}

/** What the memory kills among `events` say, in words (undefined: none). */
export function describeMemoryKills(events: StatusEvent[]): string | undefined {
  const kills = events.filter((e): e is MemoryKilled => e.event === 'memory-killed');
  if (!kills.length) return undefined;
  const count = kills.reduce((n, e) => n + e.kills, 0);
  const limit = kills.findLast((e) => e.limitBytes)?.limitBytes;
  const of = limit ? ` of ${Math.round(limit / 1_048_576)} MiB` : '';
  return `the job reached its memory limit${of}: the kernel killed ${count === 1 ? 'a process' : `${count} processes`} of the job (ask for more with mem = ... in the profile)`;
}

export function describeEnd(reason: EndReason, detail?: string): string {
  const text: Record<EndReason, string> = {
    cancelled: 'the job was cancelled',
    'time-limit': 'the job reached its time limit',
    'sshd-failed': 'sshd could not start in the job',
    'sshd-exited': "the job's sshd exited",
    idle: 'the job ended itself after being idle (idle_timeout)',
    signal: 'the job was stopped by a signal',
    swapped: 'the session moved to another job (remote swap)',
    unclaimed: 'no connect claimed the job (its sbatch got no answer) and nobody used it',
  };
  return detail ? `${text[reason]} (${detail})` : text[reason];
}
