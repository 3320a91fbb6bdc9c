// Find this user's job for a profile, or submit one, under a lock so that any
// number of simultaneous connects submit exactly one job.
import path from 'node:path';
import type { Profile } from '../config/index.js';
import { readFileOrUndefined, writeFileAtomic } from '../fsutil.js';
import { jobName, locksDir } from '../paths.js';
import { ALIVE_STATES, listJobs, parseSlurmDuration, type JobInfo } from '../slurm/index.js';
import { endedEvent, hasSubmittedRecord, withLock } from '../state/index.js';
import { forgetEndedContacts } from './jobs.js';
import { claim, submit } from './submit.js';
import type { SessionContext } from './context.js';

export interface AcquireOptions {
  /** Reuse no job of the profile (swap --fresh asks for a new one). */
  fresh?: boolean;
  /** Do not reuse a running job with less time left than this (alloc before a time limit). */
  minLeftSeconds?: number;
}

export interface AcquiredJob {
  jobId: string;
  /** Only a job this process submitted may be cancelled by it. */
  submittedByUs: boolean;
}

export async function acquireJob(ctx: SessionContext, profile: Profile, options: AcquireOptions = {}): Promise<AcquiredJob> {
  const lockFile = path.join(locksDir(ctx.stateDir), `${profile.name}.lock`);
  const lastSubmission = path.join(locksDir(ctx.stateDir), `${profile.name}.submitted`);
  const submittedBefore = readFileOrUndefined(lastSubmission);
  return withLock(
    lockFile,
    async () => {
      // Many connects at once (VS Code opens several): those that waited while another
      // submitted use its job without asking the scheduler again, one after the other.
      const meanwhile = readFileOrUndefined(lastSubmission)?.trim();
      if (meanwhile && meanwhile !== submittedBefore?.trim() && !endedEvent(ctx.stateDir, meanwhile) && !options.fresh) {
        ctx.log({ type: 'reused', jobId: meanwhile, profile: profile.name, state: 'just submitted' });
        return { jobId: meanwhile, submittedByUs: false };
      }
      const mine = (await listJobs(ctx.run, { user: ctx.user })).filter((j) => j.name === jobName(profile.name) && ALIVE_STATES.has(j.state));
      forgetEndedContacts(ctx.stateDir, mine, profile.name);
      // A job whose session already ended (its sshd died, it went idle) is on its way out.
      const reusable = options.fresh ? [] : mine.filter((j) => !endedEvent(ctx.stateDir, j.id) && hasTimeLeft(j, options.minLeftSeconds));
      const existing = pickExisting(reusable);
      if (existing) {
        ctx.log({ type: 'reused', jobId: existing.id, profile: profile.name, state: existing.state });
        // One whose sbatch got no answer, found now: it becomes a known session job (and not one that ends unclaimed).
        if (!hasSubmittedRecord(ctx.stateDir, existing.id)) claim(ctx, existing.id, profile);
        return { jobId: existing.id, submittedByUs: false };
      }
      const jobId = await submit(ctx, profile);
      writeFileAtomic(lastSubmission, `${jobId}\n`);
      ctx.log({ type: 'submitted', jobId, profile: profile.name });
      return { jobId, submittedByUs: true };
    },
    { sleep: ctx.sleep },
  );
}

function hasTimeLeft(job: JobInfo, minimum: number | undefined): boolean {
  if (!minimum || job.state !== 'RUNNING') return true;
  const left = parseSlurmDuration(job.timeLeft);
  return left === undefined || left >= minimum;
}

/** A running job beats a pending one; among equals the newest wins. */
export function pickExisting(jobs: JobInfo[]): JobInfo | undefined {
  const rank = (j: JobInfo) => (j.state === 'RUNNING' ? 2 : j.state === 'CONFIGURING' ? 1 : 0);
  return [...jobs].sort((a, b) => rank(b) - rank(a) || Number(b.id) - Number(a.id))[0];
}
