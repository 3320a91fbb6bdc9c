// Submitting a profile's job. When sbatch gets no answer (a controller that is
// overloaded, failing over or frozen), the controller may still have accepted
// the job and run it later: such a job is found and used (or cancelled with
// the connect), never left behind. Submissions of a profile are serialised by
// its lock and each is recorded (jobs/<id>/submitted) before the lock is let
// go, so a job of the profile with no record is one whose sbatch got no answer.
import { containerImageProblem, enrootHomeProblem, type Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { configFile, jobDir, jobName, jobOutputPattern, logsDir } from '../paths.js';
import { ALIVE_STATES, cancelJobs, isNoAnswer, listJobs, submitJob } from '../slurm/index.js';
import { hasSubmittedRecord, recordSubmitted } from '../state/index.js';
import { renderJobScript, sbatchArgs } from '../templates/index.js';
import type { SessionContext } from './context.js';

/** How long a connect looks for a job whose sbatch got no answer. */
const LOOK_FOR_MS = 120_000;
/**
 * A controller that comes back may answer squeue before it gets to the
 * submission it was sent while away: it must go on saying "no such job" this
 * long before the submission is taken as lost.
 */
const LOST_AFTER_MS = 5_000;

export async function submit(ctx: SessionContext, profile: Profile): Promise<string> {
  // What can be checked here is checked before a job waits in the queue for it.
  const imageProblem = containerImageProblem(profile, ctx.home);
  if (imageProblem) {
    throw new SlurmhopError('config', `profile ${profile.name}: container = ${profile.container}: ${imageProblem}`, `fix container in ${configFile()} (image files must be on a filesystem the compute nodes share)`);
  }
  const homeProblem = enrootHomeProblem(profile, ctx.home);
  if (homeProblem) {
    throw new SlurmhopError('config', `profile ${profile.name}: container_runtime = enroot: ${homeProblem}`, `use container_runtime = apptainer or podman for [profile.${profile.name}] in ${configFile()}`);
  }
  ensurePrivateDir(logsDir(ctx.stateDir));
  const script = renderJobScript({ profile, user: ctx.user, remote: ctx.remoteCommand });
  const args = sbatchArgs(profile, { jobName: jobName(profile.name), output: jobOutputPattern(ctx.stateDir), workdir: ctx.home });
  const sbatchAt = new Date();
  const once = () => submitJob(ctx.run, args, script);
  const jobId = await once().catch((err: unknown) => afterNoAnswer(ctx, profile, err, once));
  claim(ctx, jobId, profile, sbatchAt);
  return jobId;
}

/** The record that makes a job this user's known session job. */
export function claim(ctx: SessionContext, jobId: string, profile: Profile, sbatchAt?: Date): void {
  try {
    ensurePrivateDir(jobDir(ctx.stateDir, jobId));
    recordSubmitted(ctx.stateDir, jobId, profile.name, sbatchAt);
  } catch (err) {
    void cancelJobs(ctx.run, [jobId]).catch(() => {}); // nobody could find this job again
    throw err;
  }
}

/**
 * sbatch got no answer: look for the job until the controller answers. It
 * holds a job of the profile with no record: that is ours. It holds none: the
 * submission never arrived, submit again. It never answers: say so.
 */
async function afterNoAnswer(ctx: SessionContext, profile: Profile, err: unknown, again: () => Promise<string>): Promise<string> {
  if (!isNoAnswer(err)) throw err;
  ctx.log({ type: 'warn', message: `${err.message.split('\n')[0]}: looking for the job, in case the controller accepted it anyway` });
  const deadline = ctx.now() + LOOK_FOR_MS;
  let emptySince: number | undefined;
  for (let pause = 1_000; ; pause = Math.min(pause * 2, 5_000)) {
    const found = await unclaimedJob(ctx, profile).then(
      (id) => ({ answered: true, id }),
      () => ({ answered: false, id: undefined }),
    );
    if (found.id) {
      ctx.log({ type: 'info', message: `the controller did accept it: job ${found.id}` });
      return found.id;
    }
    if (found.answered) {
      emptySince ??= ctx.now();
      if (ctx.now() - emptySince >= LOST_AFTER_MS) return again();
      pause = 500;
    }
    if (ctx.now() > deadline) {
      throw new SlurmhopError(
        'slurm',
        `sbatch got no answer, and the controller has not answered for ${LOOK_FOR_MS / 1000}s since`,
        'if it accepted the job anyway, your next connect uses it ("remote list" shows it); unused, it ends itself after two minutes',
      );
    }
    await ctx.sleep(pause);
  }
}

/** An alive job of the profile that no connect has recorded. */
async function unclaimedJob(ctx: SessionContext, profile: Profile): Promise<string | undefined> {
  const jobs = await listJobs(ctx.run, { user: ctx.user });
  return jobs.find((j) => j.name === jobName(profile.name) && ALIVE_STATES.has(j.state) && !hasSubmittedRecord(ctx.stateDir, j.id))?.id;
}
