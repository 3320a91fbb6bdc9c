// A job that `slurmhop jupyter` had to submit holds its allocation (a GPU,
// often) until idle_timeout ends it. When Jupyter stops, it ends too, unless
// the user keeps it: --keep-job, --end-job, or asked in a terminal (where
// ending is the default, and a Ctrl-C at the question keeps it). A job that
// was already there is never touched.
import { createAsker } from '../setup/index.js';
import type { LaptopEnv } from './env.js';
import type { ProfileTarget } from './profile.js';
import { runRemote } from './ssh.js';

export type JobChoice = 'ask' | 'keep' | 'end';

export interface SubmittedJob {
  id: string;
  node: string;
}

/** Ends or keeps the job; says which, and how to end a kept one. */
export async function settleSubmittedJob(env: LaptopEnv, t: ProfileTarget, job: SubmittedJob, choice: JobChoice): Promise<void> {
  const named = t.cluster.name;
  let end = choice === 'end' || (choice === 'ask' && !env.interactive);
  if (choice === 'ask' && env.interactive) {
    try {
      end = await createAsker({ questions: true, tty: true }).confirm(`End job ${job.id} on ${job.node}, which was submitted for this Jupyter (no: keep it for "ssh ${t.host}" and VS Code)`, true);
    } catch {
      end = false;
    }
  }
  if (!end) {
    env.err(`slurmhop: job ${job.id} (${t.profile}) stays: it ends by itself after idle_timeout with no session; "slurmhop cancel ${job.id}" ends it now\n`);
    return;
  }
  const r = await runRemote(env, named, ['cancel', job.id], { allToStderr: true });
  if (r.exitCode !== 0) env.err(`slurmhop: job ${job.id} could not be cancelled (remote cancel exited ${r.exitCode}): "slurmhop cancel ${job.id}" tries again\n`);
}
