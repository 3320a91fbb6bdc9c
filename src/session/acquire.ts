// Find this user's job for a profile, or submit one, under a lock so that any
// number of simultaneous connects submit exactly one job.
import type { Profile } from '../config/index.js';
import { ensurePrivateDir } from '../fsutil.js';
import { jobDir, jobName, jobOutputPattern, locksDir } from '../paths.js';
import { ALIVE_STATES, listJobs, submitJob, type JobInfo } from '../slurm/index.js';
import { renderJobScript, sbatchArgs } from '../templates/index.js';
import type { SessionContext } from './context.js';
import { withLock } from './lock.js';
import { appendStatus } from './status.js';
import path from 'node:path';

export interface AcquiredJob {
  jobId: string;
  /** Only a job this process submitted may be cancelled by it. */
  submittedByUs: boolean;
}

export async function acquireJob(ctx: SessionContext, profile: Profile): Promise<AcquiredJob> {
  const lockFile = path.join(locksDir(ctx.stateDir), `${profile.name}.lock`);
  return withLock(lockFile, async () => {
    const existing = pickExisting(await listJobs(ctx.run, { user: ctx.user }), jobName(profile.name));
    if (existing) {
      ctx.log({ type: 'reused', jobId: existing.id, profile: profile.name, state: existing.state });
      return { jobId: existing.id, submittedByUs: false };
    }
    const jobId = await submit(ctx, profile);
    ctx.log({ type: 'submitted', jobId, profile: profile.name });
    return { jobId, submittedByUs: true };
  }, { sleep: ctx.sleep });
}

/** A running job beats a pending one; among equals the newest wins. */
export function pickExisting(jobs: JobInfo[], name: string): JobInfo | undefined {
  const rank = (j: JobInfo) => (j.state === 'RUNNING' ? 2 : j.state === 'CONFIGURING' ? 1 : 0);
  return jobs
    .filter((j) => j.name === name && ALIVE_STATES.has(j.state))
    .sort((a, b) => rank(b) - rank(a) || Number(b.id) - Number(a.id))[0];
}

async function submit(ctx: SessionContext, profile: Profile): Promise<string> {
  ensurePrivateDir(path.join(ctx.stateDir, 'logs'));
  const script = renderJobScript({ profile, user: ctx.user, remote: ctx.remoteCommand });
  const args = sbatchArgs(profile, {
    jobName: jobName(profile.name),
    output: jobOutputPattern(ctx.stateDir),
    workdir: ctx.home,
  });
  const jobId = await submitJob(ctx.run, args, script);
  ensurePrivateDir(jobDir(ctx.stateDir, jobId));
  appendStatus(ctx.stateDir, { event: 'submitted', jobId, profile: profile.name });
  return jobId;
}
