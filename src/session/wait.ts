// Wait until the job's sshd is ready: the job's status file is watched often (a
// file read), the scheduler is asked rarely (at most once a second, backing off).
// The status file, not the contact: this host creates it before the first look
// (watchJob), so a network home's cache of a missing name cannot hide the ready
// event, which carries the contact.
import fs from 'node:fs';
import type { Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { configFile, jobOutputFile, sshdLogFile } from '../paths.js';
import { ALIVE_STATES, listJobs, type JobInfo } from '../slurm/index.js';
import type { AcquiredJob } from './acquire.js';
import { describeEnd, endOf, indexContact, readContact, readStatus, readyContactOf, watchJob, type Contact } from '../state/index.js';
import { followProgress } from './job-progress.js';
import type { SessionContext } from './context.js';

// A status file read costs microseconds; the wait it saves is part of every cold connect.
const STATUS_POLL_MS = 50;
/** How long a job that Slurm says is over has to say why itself. */
const END_WORD_GRACE_MS = 2_000;
const SQUEUE_FIRST_MS = 1_000;
const SQUEUE_MAX_MS = 10_000;
const SQUEUE_BACKOFF = 1.5;

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

export async function waitUntilReady(
  ctx: SessionContext,
  profile: Profile,
  job: AcquiredJob,
  signal: AbortSignal,
  heartbeat: () => void = () => {},
): Promise<Contact> {
  const started = ctx.now();
  let nextQueryAt = started;
  let queryInterval = SQUEUE_FIRST_MS;
  let pendingSince = started;
  let runningSince: number | undefined;
  let lastReason = 'no answer from squeue yet';
  let squeueFailing = false;
  watchJob(ctx.stateDir, job.jobId);
  const progress = followProgress(jobOutputFile(ctx.stateDir, job.jobId));
  let preparing = false;
  for (;;) {
    if (signal.aborted) throw signal.reason as Error;
    const contact = readyContact(ctx, job.jobId);
    if (contact) return indexed(ctx, contact);
    heartbeat();

    const now = ctx.now();
    // A timeout is decided by a fresh answer, asked at the timeout itself, not at the next backed-off poll.
    const deadline = runningSince === undefined ? pendingSince + profile.pendingTimeout * 1000 : runningSince + profile.startTimeout * 1000;
    if (now >= nextQueryAt || now >= deadline) {
      queryInterval = Math.min(queryInterval * SQUEUE_BACKOFF, SQUEUE_MAX_MS);
      nextQueryAt = now + queryInterval;
      const info = await queryJob(ctx, job.jobId).then(
        (found) => {
          squeueFailing = false;
          return found;
        },
        (err: Error) => {
          // A busy controller times out now and then: say so once, keep waiting.
          if (!squeueFailing) ctx.log({ type: 'warn', message: `${err.message.split('\n')[0]} (will retry)` });
          squeueFailing = true;
          return 'unknown' as const;
        },
      );
      // The job may have become ready, or ended and said why, while squeue ran.
      const late = readyContact(ctx, job.jobId);
      if (late) return indexed(ctx, late);
      if (info !== 'unknown') {
        if (!info || !ALIVE_STATES.has(info.state)) await ownWordOnTheEnd(ctx, job.jobId);
        assertAlive(ctx, job.jobId, info);
        lastReason = info.reason;
        ctx.log({
          type: 'waiting',
          jobId: job.jobId,
          state: info.state,
          reason: info.reason,
          estimatedStart: info.state === 'PENDING' ? info.startTime : undefined,
          elapsedSeconds: (now - started) / 1000,
        });
        // Only RUNNING starts the clock for sshd: CONFIGURING nodes may take minutes to boot.
        if (info.state === 'RUNNING') runningSince ??= now;
        else if (runningSince !== undefined) {
          runningSince = undefined; // requeued or suspended: pending again
          pendingSince = now;
        }
        for (const line of progress()) {
          ctx.log({ type: 'info', message: `job ${job.jobId}: ${line}` });
          preparing = true;
        }
      }
      if (runningSince === undefined && now - pendingSince >= profile.pendingTimeout * 1000) {
        throw new SlurmhopError(
          'pending-timeout',
          `job ${job.jobId} was still pending after ${profile.pendingTimeout}s (${lastReason})`,
          `raise pending_timeout for [profile.${profile.name}] in ${configFile()} on the cluster, or choose a less busy partition`,
        );
      }
      if (runningSince !== undefined && now - runningSince >= profile.startTimeout * 1000) {
        const slowStart = preparing
          ? ` (it was still preparing: raise start_timeout for [profile.${profile.name}], or run "remote alloc ${profile.name} --no-wait" and connect once it is ready)`
          : '';
        throw jobFailed(ctx, job.jobId, `its sshd was not ready ${profile.startTimeout}s after the job started${slowStart}`, true);
      }
    }
    await ctx.sleep(STATUS_POLL_MS);
  }
}

/**
 * The contact of a job that said it is ready: from its ready event (a job of
 * an older version announced it in the contact file alone); throws the job's
 * own reason when it ended.
 */
function readyContact(ctx: SessionContext, jobId: string): Contact | undefined {
  const events = readStatus(ctx.stateDir, jobId);
  const ended = endOf(events);
  if (ended) throw jobFailed(ctx, jobId, describeEnd(ended.reason, ended.detail), false);
  // Never a look at the contact before the job said it is ready: a miss would be cached (watchJob).
  return readyContactOf(events) ?? (events.some((e) => e.event === 'ready') ? readContact(ctx.stateDir, jobId) : undefined);
}

/**
 * Slurm says the job is over (COMPLETING, gone): the job writes why at the
 * same moment, and on a network home its line reaches this host a moment
 * later. Its own word (a cancel, its sshd's failure) is better than the
 * scheduler's state: a short look for it, which throws it when it comes.
 */
async function ownWordOnTheEnd(ctx: SessionContext, jobId: string): Promise<void> {
  const until = ctx.now() + END_WORD_GRACE_MS;
  while (ctx.now() < until) {
    await ctx.sleep(STATUS_POLL_MS * 2);
    readyContact(ctx, jobId);
  }
}

/** The next warm connect finds it without the scheduler. */
function indexed(ctx: SessionContext, contact: Contact): Contact {
  indexContact(ctx.stateDir, contact);
  return contact;
}

async function queryJob(ctx: SessionContext, jobId: string): Promise<JobInfo | undefined> {
  return (await listJobs(ctx.run, { user: ctx.user, jobIds: [jobId] }))[0];
}

function assertAlive(ctx: SessionContext, jobId: string, info: JobInfo | undefined): asserts info is JobInfo {
  if (!info) throw jobFailed(ctx, jobId, 'Slurm no longer knows the job', false);
  if (!ALIVE_STATES.has(info.state)) {
    throw jobFailed(ctx, jobId, `the job is ${info.state}${info.reason && info.reason !== 'None' ? ` (${info.reason})` : ''}`, false);
  }
}

function jobFailed(ctx: SessionContext, jobId: string, why: string, stillRunning: boolean): JobFailedError {
  const output = [tail(jobOutputFile(ctx.stateDir, jobId)), tail(sshdLogFile(ctx.stateDir, jobId))].filter(Boolean).join('\n');
  const message = `job ${jobId} failed before its sshd was ready: ${why}` + (output ? `\n--- the job's output ---\n${output}` : '');
  return new JobFailedError(message, `the whole output is in ${jobOutputFile(ctx.stateDir, jobId)}`, stillRunning);
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
