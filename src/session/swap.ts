// `remote alloc` and `remote swap`: get a profile's job ready without a
// connection waiting on it, and move the current session to it.
import fs from 'node:fs';
import type { Profile } from '../config/index.js';
import { swapMarkFile } from '../paths.js';
import { cancelJobs } from '../slurm/index.js';
import type { AcquiredJob } from './acquire.js';
import { readContact, readCurrent, writeCurrent, type Contact, type Current } from '../state/index.js';
import type { SessionContext } from './context.js';
import { establish } from './establish.js';
import { interruptions } from './interrupt.js';

/** A job allocated "to connect later" must outlive the next few minutes. */
const ALLOC_MIN_LEFT_SECONDS = 15 * 60;
/** Time for a client to notice the new job before the old one goes. */
const SWAP_GRACE_MS = 3_000;

export interface Allocated {
  job: AcquiredJob;
  contact: Contact;
}

export async function allocate(ctx: SessionContext, profile: Profile, exclude: string[] = []): Promise<Allocated> {
  const interrupt = interruptions();
  const started = ctx.now();
  try {
    const { job, contact } = await establish(ctx, profile, interrupt.signal, async () => undefined, { minLeftSeconds: ALLOC_MIN_LEFT_SECONDS, exclude });
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
}

export async function swap(ctx: SessionContext, target: Profile, from: Profile | undefined, keep: boolean): Promise<SwapResult> {
  const previous = readCurrent(ctx.stateDir);
  // Swapping to the same profile asks for a new job (e.g. before a time limit).
  const exclude = previous && previous.profile === target.name ? [previous.jobId] : [];
  const allocated = await allocate(ctx, withCarriedConstraints(target, from), exclude);
  const previousRuns = previous !== undefined && readContact(ctx.stateDir, previous.jobId) !== undefined;
  if (!previous || !previousRuns || previous.jobId === allocated.job.jobId || keep) return { ...allocated, previous, previousEnded: false };
  await ctx.sleep(SWAP_GRACE_MS);
  // The old job records "swapped" as its end reason when it finds this mark.
  fs.writeFileSync(swapMarkFile(ctx.stateDir, previous.jobId), `${allocated.job.jobId}\n`, { mode: 0o600 });
  await cancelJobs(ctx.run, [previous.jobId]).catch((err: Error) => {
    ctx.log({ type: 'warn', message: `could not end job ${previous.jobId}: ${err.message}` });
  });
  return { ...allocated, previous, previousEnded: true };
}
