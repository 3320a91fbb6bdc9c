// Find this user's job for a profile, or submit one, under a lock so that any
// number of simultaneous connects submit exactly one job.
import path from 'node:path';
import { containerImageProblem, enrootHomeProblem, type Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir, readFileOrUndefined, writeFileAtomic } from '../fsutil.js';
import { configFile, jobDir, jobName, jobOutputPattern, locksDir } from '../paths.js';
import { ALIVE_STATES, cancelJobs, listJobs, parseSlurmDuration, submitJob, type JobInfo } from '../slurm/index.js';
import { renderJobScript, sbatchArgs } from '../templates/index.js';
import { endedEvent, recordSubmitted, withLock } from '../state/index.js';
import { forgetEndedContacts } from './jobs.js';
import type { SessionContext } from './context.js';

export interface AcquireOptions {
  /** Never reuse these (swap to the same profile asks for a new job). */
  exclude?: string[];
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
      if (meanwhile && meanwhile !== submittedBefore?.trim() && !endedEvent(ctx.stateDir, meanwhile) && !options.exclude?.includes(meanwhile)) {
        ctx.log({ type: 'reused', jobId: meanwhile, profile: profile.name, state: 'just submitted' });
        return { jobId: meanwhile, submittedByUs: false };
      }
      const mine = (await listJobs(ctx.run, { user: ctx.user })).filter((j) => j.name === jobName(profile.name) && ALIVE_STATES.has(j.state));
      forgetEndedContacts(ctx.stateDir, mine, profile.name);
      // A job whose session already ended (its sshd died, it went idle) is on its way out.
      const reusable = mine.filter((j) => !endedEvent(ctx.stateDir, j.id) && !options.exclude?.includes(j.id) && hasTimeLeft(j, options.minLeftSeconds));
      const existing = pickExisting(reusable);
      if (existing) {
        ctx.log({ type: 'reused', jobId: existing.id, profile: profile.name, state: existing.state });
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

async function submit(ctx: SessionContext, profile: Profile): Promise<string> {
  // What can be checked here is checked before a job waits in the queue for it.
  const imageProblem = containerImageProblem(profile, ctx.home);
  if (imageProblem) {
    throw new SlurmhopError('config', `profile ${profile.name}: container = ${profile.container}: ${imageProblem}`, `fix container in ${configFile()} (image files must be on a filesystem the compute nodes share)`);
  }
  const homeProblem = enrootHomeProblem(profile, ctx.home);
  if (homeProblem) {
    throw new SlurmhopError('config', `profile ${profile.name}: container_runtime = enroot: ${homeProblem}`, `use container_runtime = apptainer or podman for [profile.${profile.name}] in ${configFile()}`);
  }
  ensurePrivateDir(path.join(ctx.stateDir, 'logs'));
  const script = renderJobScript({ profile, user: ctx.user, remote: ctx.remoteCommand });
  const args = sbatchArgs(profile, {
    jobName: jobName(profile.name),
    output: jobOutputPattern(ctx.stateDir),
    workdir: ctx.home,
  });
  const sbatchAt = new Date();
  const jobId = await submitJob(ctx.run, args, script);
  try {
    ensurePrivateDir(jobDir(ctx.stateDir, jobId));
    recordSubmitted(ctx.stateDir, jobId, profile.name, sbatchAt);
  } catch (err) {
    await cancelJobs(ctx.run, [jobId]).catch(() => {}); // nobody could find this job again
    throw err;
  }
  return jobId;
}
