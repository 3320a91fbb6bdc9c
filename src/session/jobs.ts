// This user's slurmhop jobs, as Slurm sees them.
import { JOB_NAME_PREFIX } from '../paths.js';
import { listJobs, type JobInfo, type SlurmRunner } from '../slurm/index.js';

export interface SessionJob extends JobInfo {
  profile: string;
}

export async function listSessionJobs(run: SlurmRunner, user: string): Promise<SessionJob[]> {
  return (await listJobs(run, { user }))
    .filter((j) => j.name.startsWith(JOB_NAME_PREFIX))
    .map((j) => ({ ...j, profile: j.name.slice(JOB_NAME_PREFIX.length) }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}
