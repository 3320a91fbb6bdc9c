// Ended jobs leave a directory (jobs/<id>/: the records, the sshd_config with
// the session's environment, the sshd log) and their output (logs/<id>.out).
// After RETENTION_MS without a change they go; their records (the submitted
// record and the job's events) are kept, one JSON line per job, in
// history.jsonl, which `remote history` reads as well. A job with a live
// contact is never pruned.
import fs from 'node:fs';
import path from 'node:path';
import { historyArchive, jobDir, jobOutputFile, jobsDir } from '../paths.js';
import { readContact } from './contact.js';
import { readStatus, type StatusEvent } from './status.js';

export const RETENTION_MS = 14 * 24 * 3_600_000;
/** Pruning reads every job directory: at most once a day. */
const EVERY_MS = 24 * 3_600_000;

export interface Archived {
  jobId: string;
  events: StatusEvent[];
}

/** Prunes when the last pruning is a day old; returns the job ids pruned. Never throws: it is housekeeping. */
export function pruneEndedJobs(state: string, now: number = Date.now(), retentionMs = RETENTION_MS): string[] {
  const stamp = path.join(jobsDir(state), '.pruned');
  try {
    if (now - fs.statSync(stamp).mtimeMs < EVERY_MS) return [];
  } catch {
    // never pruned yet
  }
  const pruned: string[] = [];
  try {
    fs.writeFileSync(stamp, '', { mode: 0o600 });
    for (const id of fs.readdirSync(jobsDir(state)).filter((n) => /^\d+$/.test(n))) {
      if (readContact(state, id) || now - lastChange(state, id) < retentionMs) continue;
      const record: Archived = { jobId: id, events: readStatus(state, id) };
      fs.appendFileSync(historyArchive(state), `${JSON.stringify(record)}\n`, { mode: 0o600 });
      fs.rmSync(jobDir(state, id), { recursive: true, force: true });
      fs.rmSync(jobOutputFile(state, id), { force: true });
      pruned.push(id);
    }
  } catch {
    // what is left is pruned next time
  }
  return pruned;
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
