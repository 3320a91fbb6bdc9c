// squeue: the user's jobs, typed.
import { checked, type SlurmRunner } from './run.js';

export interface JobInfo {
  id: string;
  name: string;
  /** Slurm's long state name: PENDING, RUNNING, CONFIGURING, COMPLETING, ... */
  state: string;
  nodes: string;
  /** Actual start (running) or Slurm's estimate (pending); undefined when Slurm has none. */
  startTime?: string | undefined;
  timeUsed: string;
  timeLimit: string;
  timeLeft: string;
  partition: string;
  /** Actual or expected end (time limit); undefined when Slurm has none. */
  endTime?: string | undefined;
  reason: string;
}

// The reason comes last because it is the only free-text field.
const FIELDS = ['%i', '%j', '%T', '%N', '%S', '%M', '%l', '%L', '%P', '%e', '%r'];
export const SQUEUE_FORMAT = FIELDS.join('|');

export function parseSqueue(output: string): JobInfo[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cols = line.split('|');
      const [id, name, state, nodes, start, used, limit, left, partition, end] = cols;
      return {
        id: id!.trim(),
        name: name ?? '',
        state: state ?? '',
        nodes: nodes ?? '',
        startTime: knownTime(start),
        timeUsed: used ?? '',
        timeLimit: limit ?? '',
        timeLeft: left ?? '',
        partition: partition ?? '',
        endTime: knownTime(end),
        reason: cols.slice(FIELDS.length - 1).join('|'),
      };
    });
}

export async function listJobs(run: SlurmRunner, filter: { user: string; jobIds?: string[] }): Promise<JobInfo[]> {
  // --local: no federation lookup, one RPC fewer per call (a poll is then a single RPC).
  const args = ['--noheader', '--local', `--format=${SQUEUE_FORMAT}`, `--user=${filter.user}`];
  if (filter.jobIds?.length) args.push(`--jobs=${filter.jobIds.join(',')}`);
  // ISO times whatever the user's own SLURM_TIME_FORMAT says (only for squeue: sbatch would pass it on to the job).
  const result = await run('squeue', args, { env: { SLURM_TIME_FORMAT: 'standard' } });
  // squeue exits 1 with "Invalid job id specified" for jobs it has already forgotten.
  if (result.exitCode !== 0 && filter.jobIds?.length && /invalid job id/i.test(result.stderr)) return [];
  return parseSqueue(checked('squeue', result));
}

/** States in which a job may still become (or is) a session; COMPLETING and the final states are not. */
export const ALIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'REQUEUED', 'RESIZING', 'SUSPENDED']);

function knownTime(value: string | undefined): string | undefined {
  return value && !['N/A', 'Unknown', 'NONE', '(null)'].includes(value) ? value : undefined;
}
