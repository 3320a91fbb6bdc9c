// This user's slurmhop jobs, as Slurm sees them, and the chains renew makes of them.
import { JOB_NAME_PREFIX } from '../paths.js';
import { listJobs, type JobInfo, type SlurmRunner } from '../slurm/index.js';
import { liveJobIds, liveProfiles, readStatus, removeContact, type StatusEvent } from '../state/index.js';

export interface SessionJob extends JobInfo {
  profile: string;
}

export async function listSessionJobs(run: SlurmRunner, user: string): Promise<SessionJob[]> {
  return (await listJobs(run, { user }))
    .filter((j) => j.name.startsWith(JOB_NAME_PREFIX))
    .map((j) => ({ ...j, profile: j.name.slice(JOB_NAME_PREFIX.length) }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Contacts whose job Slurm no longer runs (a job killed without its end
 * record, a node lost): every connect would try them first. `alive` is what
 * squeue just said about this user's jobs (of that profile, when one is given).
 */
export function forgetEndedContacts(state: string, alive: Pick<JobInfo, 'id'>[], profile?: string): void {
  const ids = new Set(alive.map((j) => j.id));
  for (const p of profile === undefined ? liveProfiles(state) : [profile]) {
    for (const jobId of liveJobIds(state, p)) if (!ids.has(jobId)) removeContact(state, jobId, p);
  }
}

export interface ChainLinks {
  /** The job this one renews (it submitted this one, to follow it). */
  renews?: string;
  /** The job that renews this one. */
  renewedBy?: string;
}

type Of<E extends StatusEvent['event']> = Extract<StatusEvent, { event: E }>;

/**
 * The renew links between these jobs, from the records: a successor's
 * submitted record names the job it renews, and that job's status names its
 * successor (either may be seen first on a network home).
 */
export function chainLinks(state: string, jobs: Pick<JobInfo, 'id'>[]): Map<string, ChainLinks> {
  const links = new Map<string, ChainLinks>(jobs.map((j) => [j.id, {}]));
  const link = (from: string, to: string) => {
    if (!links.has(from) || !links.has(to)) return;
    links.get(to)!.renews ??= from;
    links.get(from)!.renewedBy ??= to;
  };
  for (const job of jobs) {
    const events = readStatus(state, job.id);
    const renews = events.find((e): e is Of<'submitted'> => e.event === 'submitted')?.renews;
    if (renews) link(renews, job.id);
    const successor = events.findLast((e): e is Of<'renewed'> => e.event === 'renewed')?.successor;
    if (successor) link(job.id, successor);
  }
  return links;
}

/** The chosen jobs and every job of their chains, in the order of `all`. */
export function withTheirChains<J extends Pick<JobInfo, 'id'>>(chosen: J[], all: J[], links: Map<string, ChainLinks>): J[] {
  const ids = new Set(chosen.map((j) => j.id));
  for (const queue = [...ids]; queue.length; ) {
    const l = links.get(queue.shift()!);
    for (const next of [l?.renews, l?.renewedBy]) {
      if (next !== undefined && !ids.has(next)) {
        ids.add(next);
        queue.push(next);
      }
    }
  }
  return all.filter((j) => ids.has(j.id));
}
