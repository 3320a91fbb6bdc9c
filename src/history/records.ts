// What the state directory remembers of one job: the login node's submitted
// record, the job's own events, its contact file and whether Slurm ever opened
// its output (logs/<id>.out). Read only: history never changes anything.
import fs from 'node:fs';
import { jobDir, jobOutputFile, jobsDir } from '../paths.js';
import { readArchive, readContact, readStatus, type Contact, type StatusEvent } from '../state/index.js';

export interface JobRecords {
  jobId: string;
  events: StatusEvent[];
  contact: Contact | undefined;
  /** logs/<id>.out, when it exists: Slurm creates it as the job starts. */
  output: string | undefined;
  /** The job directory's mtime (ms): a last resort for ordering a job with no records. */
  dirTime: number;
}

/** Job ids with a directory under jobs/ (numeric names only). */
export function listJobIds(state: string): string[] {
  try {
    return fs.readdirSync(jobsDir(state)).filter((name) => /^\d+$/.test(name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Jobs pruned from jobs/ after the retention period: their records, kept in history.jsonl. */
export function archivedRecords(state: string, present: Set<string>): JobRecords[] {
  return readArchive(state)
    .filter((a) => !present.has(a.jobId))
    .map((a) => ({ jobId: a.jobId, events: a.events, contact: undefined, output: undefined, dirTime: 0 }));
}

export function readJobRecords(state: string, jobId: string): JobRecords {
  const output = jobOutputFile(state, jobId);
  return {
    jobId,
    events: readStatus(state, jobId),
    contact: readContact(state, jobId),
    // Empty: made by a waiting connect before the job could write (state/status.ts watchJob), never written to.
    output: (fs.statSync(output, { throwIfNoEntry: false })?.size ?? 0) > 0 ? output : undefined,
    dirTime: mtime(jobDir(state, jobId)),
  };
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
