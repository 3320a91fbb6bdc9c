// `remote alloc` and `remote swap`: get a profile's job ready without a
// connection waiting on it, and move the current session to it.
import fs from 'node:fs';
import type { Profile } from '../config/index.js';
import { swapMarkFile } from '../paths.js';
import { cancelJobs, listJobs } from '../slurm/index.js';
import type { AcquiredJob } from './acquire.js';
import { endedEvent, jobContact, readCurrent, writeCurrent, type Contact, type Current } from '../state/index.js';
import type { SessionContext } from './context.js';
import { establish } from './establish.js';
import { withHeldBy } from './held-by.js';
import { interruptions } from './interrupt.js';

/** A job allocated "to connect later" must outlive the next few minutes. */
const ALLOC_MIN_LEFT_SECONDS = 15 * 60;
/** Time for a client to notice the new job before the old one goes. */
const SWAP_GRACE_MS = 3_000;

export interface Allocated {
  job: AcquiredJob;
  contact: Contact;
}

export async function allocate(ctx: SessionContext, profile: Profile, fresh = false): Promise<Allocated> {
  const interrupt = interruptions();
  const started = ctx.now();
  // Nobody is connected yet to wait for: a pending job's progress says which of one's own jobs may be in its way.
  const watched = { ...ctx, log: withHeldBy(ctx) };
  try {
    const { job, contact } = await establish(watched, profile, interrupt.signal, async () => undefined, { minLeftSeconds: ALLOC_MIN_LEFT_SECONDS, fresh });
    writeCurrent(ctx.stateDir, { profile: profile.name, jobId: job.jobId });
    ctx.log({ type: 'ready', jobId: job.jobId, node: contact.node, port: contact.port, elapsedSeconds: (ctx.now() - started) / 1000 });
    return { job, contact };
  } finally {
    interrupt.dispose();
  }
}

/** Node constraints of the current profile carry over when the target profile sets none. */
export function withCarriedConstraints(target: Profile, from: Profile | undefined): Profile {
  return from?.constraint && !target.constraint ? { ...target, constraint: from.constraint } : target;
}

export interface SwapResult extends Allocated {
  previous?: Current | undefined;
  previousEnded: boolean;
  /** The current session already runs on the target profile: nothing was asked of Slurm but whether it runs. */
  already: boolean;
}

export interface SwapOptions {
  /** Keep the previous job (default: it ends once the new one is ready). */
  keep?: boolean;
  /** A new job even when one of the profile runs (e.g. before its time limit). */
  fresh?: boolean;
}

export async function swap(ctx: SessionContext, target: Profile, from: Profile | undefined, options: SwapOptions = {}): Promise<SwapResult> {
  const previous = readCurrent(ctx.stateDir);
  if (previous?.profile === target.name && !options.fresh) {
    // Already there: a new job would only wait for what this one holds (one GPU, say) until pending_timeout.
    const running = await runningSession(ctx, previous);
    if (running) return { job: { jobId: previous.jobId, submittedByUs: false }, contact: running, previous, previousEnded: false, already: true };
  }
  const allocated = await allocate(ctx, withCarriedConstraints(target, from), options.fresh);
  const previousRuns = previous !== undefined && jobContact(ctx.stateDir, previous.jobId) !== undefined;
  const done = { ...allocated, previous, previousEnded: false, already: previous?.jobId === allocated.job.jobId };
  if (!previous || !previousRuns || previous.jobId === allocated.job.jobId || options.keep) return done;
  await ctx.sleep(SWAP_GRACE_MS);
  // The old job records "swapped" as its end reason when it finds this mark.
  fs.writeFileSync(swapMarkFile(ctx.stateDir, previous.jobId), `${allocated.job.jobId}\n`, { mode: 0o600 });
  await cancelJobs(ctx.run, [previous.jobId]).catch((err: Error) => {
    ctx.log({ type: 'warn', message: `could not end job ${previous.jobId}: ${err.message}` });
  });
  return { ...done, previousEnded: true };
}

/** The current session's contact, when its job is ready and Slurm says it runs. */
async function runningSession(ctx: SessionContext, current: Current): Promise<Contact | undefined> {
  const contact = jobContact(ctx.stateDir, current.jobId);
  if (!contact || endedEvent(ctx.stateDir, current.jobId)) return undefined;
  const [info] = await listJobs(ctx.run, { user: ctx.user, jobIds: [current.jobId] });
  return info?.state === 'RUNNING' ? contact : undefined;
}
