// Get a job that is ready for a profile — reuse one or submit one, wait for
// its sshd — and never leave a job behind that this process submitted and
// nobody waits for. Used by `proxy`, `alloc` and `swap`.
import type { Profile } from '../config/index.js';
import { onFatal } from '../cleanup.js';
import { cancelJobs } from '../slurm/index.js';
import { acquireJob, type AcquiredJob, type AcquireOptions } from './acquire.js';
import { joinWaiters, writeCurrent, type Contact } from '../state/index.js';
import type { SessionContext } from './context.js';
import { JobFailedError, waitUntilReady } from './wait.js';

class ReusedJobFailed extends JobFailedError {}

export interface Ready<T> {
  job: AcquiredJob;
  contact: Contact;
  value: T;
}

/**
 * `use` runs while the job is still guarded: if it throws, a job we submitted
 * is cancelled like after any other failure.
 */
export async function establish<T>(
  ctx: SessionContext,
  profile: Profile,
  signal: AbortSignal,
  use: (contact: Contact, job: AcquiredJob) => Promise<T>,
  options: AcquireOptions = {},
): Promise<Ready<T>> {
  try {
    return await attempt(ctx, profile, signal, use, options);
  } catch (err) {
    // A reused job may end under us (its submitter gave up): once more, with a job of our own if need be.
    if (err instanceof ReusedJobFailed) return attempt(ctx, profile, signal, use, options);
    throw err;
  }
}

async function attempt<T>(
  ctx: SessionContext,
  profile: Profile,
  signal: AbortSignal,
  use: (contact: Contact, job: AcquiredJob) => Promise<T>,
  options: AcquireOptions,
): Promise<Ready<T>> {
  let job: AcquiredJob | undefined;
  // A crash (even EPIPE on stderr) must not leave the job we submitted behind.
  const forgetFatal = onFatal(async () => {
    if (job?.submittedByUs) await cancelJobs(ctx.run, [job.jobId]);
  });
  let waiter: ReturnType<typeof joinWaiters> | undefined;
  try {
    job = await acquireJob(ctx, profile, options);
    if (job.submittedByUs) writeCurrent(ctx.stateDir, { profile: profile.name, jobId: job.jobId });
    waiter = joinWaiters(ctx.stateDir, job.jobId);
    const contact = await waitUntilReady(ctx, profile, job, signal, waiter.heartbeat);
    const value = await use(contact, job);
    waiter.leave();
    return { job, contact, value };
  } catch (err) {
    const lastWaiter = waiter?.leave() ?? true;
    if (job && !job.submittedByUs && err instanceof JobFailedError && !err.stillRunning && !(err instanceof ReusedJobFailed)) {
      throw new ReusedJobFailed(err.message, err.hint, false);
    }
    if (job?.submittedByUs && shouldCancel(err)) {
      if (lastWaiter) await cancelOwnJob(ctx, job.jobId, err as Error);
      else ctx.log({ type: 'info', message: `job ${job.jobId} kept: another connect is still waiting for it` });
    }
    throw err;
  } finally {
    forgetFatal();
  }
}

/** Whatever went wrong after submitting, the job is cancelled, unless it has already ended by itself. */
function shouldCancel(err: unknown): boolean {
  return !(err instanceof JobFailedError && !err.stillRunning);
}

async function cancelOwnJob(ctx: SessionContext, jobId: string, why: Error): Promise<void> {
  try {
    await cancelJobs(ctx.run, [jobId]);
    ctx.log({ type: 'cancelled', jobId, why: why.message.split('\n')[0]! });
  } catch (err) {
    ctx.log({ type: 'warn', message: `could not cancel job ${jobId}: ${(err as Error).message}; cancel it with "remote cancel ${jobId}"` });
  }
}
