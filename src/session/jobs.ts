// This user's slurmhop jobs, as Slurm sees them.
import { JOB_NAME_PREFIX } from '../paths.js';
import { listJobs, type JobInfo, type SlurmRunner } from '../slurm/index.js';
import { liveJobIds, liveProfiles, removeContact } from '../state/index.js';

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
