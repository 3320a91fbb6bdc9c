// Wait until the job's sshd is ready: the contact file is watched often (a local
// file read), the scheduler is asked rarely (at most once a second, backing off).
import fs from 'node:fs';
import type { Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { jobOutputFile, sshdLogFile } from '../paths.js';
import { ALIVE_STATES, listJobs, type JobInfo } from '../slurm/index.js';
import type { AcquiredJob } from './acquire.js';
import { readContact, type Contact } from './contact.js';
import type { SessionContext } from './context.js';
import { describeEnd, endedEvent } from './status.js';

const CONTACT_POLL_MS = 100;
const SQUEUE_FIRST_MS = 1_000;
const SQUEUE_MAX_MS = 10_000;
const SQUEUE_BACKOFF = 1.5;

export async function waitUntilReady(
  ctx: SessionContext,
  profile: Profile,
  job: AcquiredJob,
  signal: AbortSignal,
): Promise<Contact> {
  const started = ctx.now();
  let nextQueryAt = started;
  let queryInterval = SQUEUE_FIRST_MS;
  let pendingSince = started;
  let runningSince: number | undefined;
  for (;;) {
    if (signal.aborted) throw signal.reason as Error;
    const contact = readContact(ctx.stateDir, job.jobId);
    if (contact) return contact;
    const ended = endedEvent(ctx.stateDir, job.jobId);
    if (ended) throw jobFailed(ctx, job.jobId, describeEnd(ended.reason, ended.detail));

    const now = ctx.now();
    if (now >= nextQueryAt) {
      const info = (await listJobs(ctx.run, { user: ctx.user, jobIds: [job.jobId] }))[0];
      // The job may have become ready while squeue ran.
      const late = readContact(ctx.stateDir, job.jobId);
      if (late) return late;
      checkAlive(ctx, job.jobId, info);
      ctx.log({
        type: 'waiting',
        jobId: job.jobId,
        state: info!.state,
        reason: info!.reason,
        estimatedStart: info!.state === 'PENDING' ? info!.startTime : undefined,
        elapsedSeconds: (now - started) / 1000,
      });
      if (info!.state === 'PENDING') {
        pendingSince = runningSince === undefined ? pendingSince : now;
        runningSince = undefined;
      } else if (runningSince === undefined) {
        runningSince = now;
      }
      queryInterval = Math.min(queryInterval * SQUEUE_BACKOFF, SQUEUE_MAX_MS);
      nextQueryAt = now + queryInterval;
      if (runningSince === undefined && now - pendingSince >= profile.pendingTimeout * 1000) {
        throw new SlurmhopError(
          'pending-timeout',
          `job ${job.jobId} was still pending after ${profile.pendingTimeout}s (${info!.reason})`,
          `raise pending_timeout for [profile.${profile.name}] or choose a less busy partition; "remote alloc ${profile.name}" queues a job without a connection waiting`,
        );
      }
      if (runningSince !== undefined && now - runningSince >= profile.startTimeout * 1000) {
        throw jobFailed(ctx, job.jobId, `its sshd was not ready ${profile.startTimeout}s after the job started`, 'start-timeout');
      }
    }
    await ctx.sleep(CONTACT_POLL_MS);
  }
}

function checkAlive(ctx: SessionContext, jobId: string, info: JobInfo | undefined): void {
  if (!info) throw jobFailed(ctx, jobId, 'Slurm no longer knows the job');
  if (!ALIVE_STATES.has(info.state)) {
    throw jobFailed(ctx, jobId, `the job is ${info.state}${info.reason && info.reason !== 'None' ? ` (${info.reason})` : ''}`);
  }
}

export class JobFailedError extends SlurmhopError {
  constructor(
    message: string,
    hint: string | undefined,
    /** The job still runs (its sshd never came up): whoever submitted it should cancel it. */
    readonly stillRunning: boolean,
  ) {
    super('job-failed', message, hint);
  }
}

function jobFailed(ctx: SessionContext, jobId: string, why: string, kind?: 'start-timeout'): JobFailedError {
  const output = [tail(jobOutputFile(ctx.stateDir, jobId)), tail(sshdLogFile(ctx.stateDir, jobId))]
    .filter(Boolean)
    .join('\n');
  const message = `job ${jobId} failed before its sshd was ready: ${why}` + (output ? `\n--- the job's output ---\n${output}` : '');
  return new JobFailedError(message, `the whole output is in ${jobOutputFile(ctx.stateDir, jobId)}`, kind === 'start-timeout');
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
