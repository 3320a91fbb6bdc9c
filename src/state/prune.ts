// Ended jobs leave a directory (jobs/<id>/: the records, the sshd_config with
// the session's environment, the sshd log) and their output (logs/<id>.out).
// After RETENTION_MS without a change they go; their records (the submitted
// record and the job's events) are kept, one JSON line per job, in
// history.jsonl, which `remote history` reads as well. A job with a live
// contact is never pruned. `remote cleanup` prunes with its own rules
// (Slurm's word on which jobs are alive, no waiting period) through the same
// functions.
import fs from 'node:fs';
import path from 'node:path';
import { historyArchive, jobDir, jobOutputFile, jobsDir, locksDir, logsDir } from '../paths.js';
import { tryLock } from './lock.js';
import { readContact, removeContact } from './contact.js';
import { readStatus, type StatusEvent } from './status.js';

export const RETENTION_MS = 14 * 24 * 3_600_000;
/** Pruning reads every job directory: at most once a day. */
const EVERY_MS = 24 * 3_600_000;

export interface Archived {
  jobId: string;
  events: StatusEvent[];
}

export interface PruneRules {
  /** How long a job's files must be unchanged. */
  retentionMs: number;
  /**
   * Which jobs still run, when the caller knows (from the scheduler). Without
   * it a contact file means alive; with it, a contact of a job it calls ended
   * is a leftover, not a live contact.
   */
  alive?: (jobId: string) => boolean;
}

/** Where pruners take turns: jobs on several nodes, `remote cleanup` on several login nodes. */
export const pruneLock = (state: string) => path.join(locksDir(state), 'prune.lock');

/**
 * Prunes when the last pruning is a day old; returns the job ids pruned.
 * Never throws and never waits: it is housekeeping, and whoever holds the
 * prune lock is doing it already.
 */
export function pruneEndedJobs(state: string, now: number = Date.now(), retentionMs = RETENTION_MS): string[] {
  const stamp = path.join(jobsDir(state), '.pruned');
  const pruned: string[] = [];
  let release: (() => void) | undefined;
  try {
    const held = tryLock(pruneLock(state));
    if (!('release' in held)) return [];
    release = held.release;
    // Read under the lock: two pruners that both found the stamp old would prune (and archive) twice.
    if (now - (fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0) < EVERY_MS) return [];
    fs.writeFileSync(stamp, '', { mode: 0o600 });
    for (const id of prunableJobs(state, now, { retentionMs })) {
      pruneJob(state, id);
      pruned.push(id);
    }
  } catch {
    // what is left is pruned next time
  } finally {
    release?.();
  }
  return pruned;
}

/** The jobs whose directory and output may go under these rules, oldest id first. */
export function prunableJobs(state: string, now: number, rules: PruneRules): string[] {
  return knownJobIds(state).filter((id) => {
    const alive = rules.alive ? rules.alive(id) : readContact(state, id) !== undefined;
    return !alive && now - lastChange(state, id) >= rules.retentionMs;
  });
}

/**
 * Keeps the job's records in history.jsonl, then removes its directory (and
 * any contact left in it) and its output. Callers hold the prune lock: one
 * record per job, and appends to history.jsonl never interleave.
 */
export function pruneJob(state: string, jobId: string): void {
  const events = readStatus(state, jobId);
  // Output whose job directory is already gone has nothing to keep.
  if (events.length || fs.existsSync(jobDir(state, jobId))) {
    const record: Archived = { jobId, events };
    fs.appendFileSync(historyArchive(state), `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }
  removeContact(state, jobId);
  fs.rmSync(jobDir(state, jobId), { recursive: true, force: true });
  fs.rmSync(jobOutputFile(state, jobId), { force: true });
}

/** Job ids with a directory under jobs/ or an output file under logs/. */
function knownJobIds(state: string): string[] {
  const list = (dir: string) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  };
  const ids = new Set(list(jobsDir(state)).filter((n) => /^\d+$/.test(n)));
  for (const name of list(logsDir(state))) {
    const m = /^(\d+)\.out$/.exec(name);
    if (m) ids.add(m[1]!);
  }
  return [...ids].sort((a, b) => Number(a) - Number(b));
}

/** The newest change in a job's directory and of its output. */
function lastChange(state: string, jobId: string): number {
  const times = [jobDir(state, jobId), ...['status', 'submitted'].map((f) => path.join(jobDir(state, jobId), f)), jobOutputFile(state, jobId)].map(
    (f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0,
  );
  return Math.max(...times);
}

/** The records of pruned jobs, oldest first; a torn line is skipped. */
export function readArchive(state: string): Archived[] {
  let text: string;
  try {
    text = fs.readFileSync(historyArchive(state), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      const a = JSON.parse(line) as Archived;
      return typeof a.jobId === 'string' && Array.isArray(a.events) ? [a] : [];
    } catch {
      return [];
    }
  });
}
