// Everything history touches outside the state directory, with real defaults.
import os from 'node:os';
import { createLog, type Log } from '../log.js';
import { stateDir } from '../paths.js';
import { execaRunner, listJobs, type JobInfo, type SlurmRunner } from '../slurm/index.js';

export interface HistoryDeps {
  stateDir: string;
  now: () => number;
  /** Slurm's entries for these jobs (the forgotten ones are simply absent); rejects when Slurm does not answer. */
  queue: (jobIds: string[]) => Promise<JobInfo[]>;
  log: Log;
}

/** History answers from the records; Slurm only adds detail, so it gets little time. */
export const QUEUE_DEADLINE_MS = 10_000;

export function defaultHistoryDeps(run: SlurmRunner = execaRunner): HistoryDeps {
  const user = os.userInfo().username;
  return {
    stateDir: stateDir(),
    now: () => Date.now(),
    queue: (jobIds) => withDeadline(listJobs(run, { user, jobIds }), QUEUE_DEADLINE_MS, `squeue did not answer within ${QUEUE_DEADLINE_MS / 1000}s`),
    log: createLog(),
  };
}

function withDeadline<T>(promise: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
