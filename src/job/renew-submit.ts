// renew: the successor's sbatch, run by the job on its compute node, under
// the profile's lock (the one a connect takes to submit), so that a connect
// at the same moment and the renewal never both submit. The successor waits
// for this job with --dependency=afterany: it holds nothing while the session
// still runs here, and may start the moment this job ends.
import path from 'node:path';
import { execa } from 'execa';
import { containerImageProblem, enrootHomeProblem, type Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { jobDir, jobName, jobOutputPattern, locksDir, logsDir } from '../paths.js';
import { ALIVE_STATES, cancelJobs, checked, isNoAnswer, listJobs, parseSbatchOutput, type RunResult, type SlurmRunner } from '../slurm/index.js';
import { endedEvent, hasSubmittedRecord, recordSubmitted, withLock, type ChainLink } from '../state/index.js';
import { renderJobScript, sbatchArgs } from '../templates/index.js';
import { refusalWords } from './renew-text.js';

/** sbatch with exactly this environment (nothing of this process's own added). */
export type Sbatch = (args: string[], script: string, env: Record<string, string>) => Promise<RunResult>;

export interface SubmitDeps {
  run: SlurmRunner;
  sbatch: Sbatch;
  stateDir: string;
  user: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** How the job script runs slurmhop (this executable, on the shared filesystem). */
  remote: string[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export type SubmitOutcome =
  | { kind: 'submitted'; successor: string; dependency: string }
  /** Another job of the profile is queued or running already (`remote alloc`, say): the next connect lands there. */
  | { kind: 'queued'; jobId: string; state: string }
  /** Slurm, or the profile, refuses a successor: why, in words. */
  | { kind: 'refused'; why: string }
  /** Slurm did not answer: the next check tries again. */
  | { kind: 'retry'; why: string };

/** How long the job looks for a successor whose sbatch got no answer. */
const LOOK_FOR_MS = 30_000;

export async function submitSuccessor(deps: SubmitDeps, profile: Profile, jobId: string, endTime: number, chain: ChainLink): Promise<SubmitOutcome> {
  const problem = containerImageProblem(profile, deps.home) ?? enrootHomeProblem(profile, deps.home);
  if (problem) return { kind: 'refused', why: `profile ${profile.name}: container = ${profile.container}: ${problem}` };
  const lock = path.join(locksDir(deps.stateDir), `${profile.name}.lock`);
  // Never past the end: a lock held that long belongs to a connect that will find this job's successor or submit its own.
  const timeoutMs = Math.max(1_000, Math.min(180_000, endTime - deps.now() - 10_000));
  try {
    return await withLock(lock, () => underLock(deps, profile, jobId, endTime, chain), { timeoutMs, sleep: deps.sleep });
  } catch (err) {
    if (err instanceof SlurmhopError && err.kind === 'state') return { kind: 'retry', why: err.message };
    throw err;
  }
}

async function underLock(deps: SubmitDeps, profile: Profile, jobId: string, endTime: number, chain: ChainLink): Promise<SubmitOutcome> {
  let others;
  try {
    others = await othersOfProfile(deps, profile, jobId);
  } catch (err) {
    return { kind: 'retry', why: (err as Error).message.split('\n')[0]! };
  }
  // Also one no connect recorded (its sbatch got no answer): the next connect claims and uses it.
  const other = others.find((j) => !endedEvent(deps.stateDir, j.id));
  if (other) return { kind: 'queued', jobId: other.id, state: other.state };

  ensurePrivateDir(logsDir(deps.stateDir));
  const script = renderJobScript({ profile, user: deps.user, remote: deps.remote });
  // The connect's lastSubmission mark is not written: a connect waiting on the lock would take it for its own and wait for this job to end.
  const args = sbatchArgs(profile, { jobName: jobName(profile.name), output: jobOutputPattern(deps.stateDir), workdir: deps.home });
  const env = successorEnvironment(deps.env);
  const sbatchAt = new Date(deps.now());
  const attempt = async (dependency: string) => ({ id: parseSbatchOutput(checked('sbatch', await deps.sbatch(['--parsable', ...args, dependency], script, env))), dependency });
  let submitted: { id: string; dependency: string };
  try {
    submitted = await attempt(`--dependency=afterany:${jobId}`).catch((err: unknown) => {
      // A site that refuses dependencies: a begin time does the same (it starts no earlier than this job's end).
      if (err instanceof SlurmhopError && /dependenc/i.test(err.message) && !isNoAnswer(err)) {
        return attempt(`--begin=now+${Math.max(1, Math.ceil((endTime - deps.now()) / 1000))}`);
      }
      throw err;
    });
  } catch (err) {
    if (!(err instanceof SlurmhopError) || err.kind !== 'slurm') throw err;
    const said = err.message;
    if (!isNoAnswer(err)) return { kind: 'refused', why: refusalWords(said) };
    const found = await lookForUnclaimed(deps, profile, jobId);
    if (!found) return { kind: 'retry', why: `${said.split('\n')[0]} (no job of the profile appeared since)` };
    submitted = { id: found, dependency: `--dependency=afterany:${jobId}` };
  }
  try {
    ensurePrivateDir(jobDir(deps.stateDir, submitted.id));
    recordSubmitted(deps.stateDir, submitted.id, profile.name, sbatchAt, chain);
  } catch (err) {
    // Unrecorded, it would be nobody's: it goes.
    await cancelJobs(deps.run, [submitted.id]).catch(() => {});
    return { kind: 'refused', why: `its record could not be written (${(err as Error).message}), so job ${submitted.id} was cancelled` };
  }
  return { kind: 'submitted', successor: submitted.id, dependency: submitted.dependency.replace(/^--/, '') };
}

async function othersOfProfile(deps: SubmitDeps, profile: Profile, jobId: string) {
  const jobs = await listJobs(deps.run, { user: deps.user });
  return jobs.filter((j) => j.id !== jobId && j.name === jobName(profile.name) && ALIVE_STATES.has(j.state));
}

/** sbatch got no answer: the controller may have accepted the job all the same. */
async function lookForUnclaimed(deps: SubmitDeps, profile: Profile, jobId: string): Promise<string | undefined> {
  const until = deps.now() + LOOK_FOR_MS;
  while (deps.now() < until) {
    await deps.sleep(2_000);
    const others = await othersOfProfile(deps, profile, jobId).catch(() => undefined);
    const found = others?.find((j) => !hasSubmittedRecord(deps.stateDir, j.id));
    if (found) return found.id;
  }
  return undefined;
}

/** Kept for sbatch itself (configless sites point to their slurm.conf with it) and as the user's own choice. */
const KEPT_SLURM = new Set(['SLURM_CONF', 'SLURM_TIME_FORMAT']);
/** What Slurm set for this job alone: the successor gets its own. */
const OF_THIS_JOB = new Set(['SLURMD_NODENAME', 'ENVIRONMENT', 'CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'ROCR_VISIBLE_DEVICES', 'ZE_AFFINITY_MASK']);

/**
 * The successor's environment: this job's (which sbatch passes on, as it
 * passed the login node's to this job), without the variables Slurm set for
 * this job: a GPU list or memory setting of this job must not reach the next.
 */
export function successorEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || OF_THIS_JOB.has(name)) continue;
    if (name.startsWith('SLURM_') && !KEPT_SLURM.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The real sbatch, with the environment given and nothing else. */
export const execaSbatch: Sbatch = async (args, script, env) => {
  const r = await execa('sbatch', args, { input: script, env, extendEnv: false, reject: false, timeout: 60_000, stripFinalNewline: true });
  if ((r as { code?: string }).code === 'ENOENT') throw new SlurmhopError('slurm', 'sbatch was not found on PATH on this compute node');
  if (r.timedOut) throw new SlurmhopError('slurm', 'sbatch did not answer within 60s (is slurmctld busy or down?)');
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? 70 };
};
