// renew's side effects, with real defaults (tests swap them), and what a
// job reads of its own chain as it starts.
import os from 'node:os';
import { getProfile, loadConfig, type Profile } from '../config/index.js';
import type { Log } from '../log.js';
import { selfCommand } from '../self.js';
import { readCurrent, readStatus, writeCurrent, type Submitted } from '../state/index.js';
import type { JobContext } from './context.js';
import { execaSbatch, type SubmitDeps } from './renew-submit.js';

export interface RenewalDeps extends SubmitDeps {
  log: Log;
  /** The profile as config.ini says it now (throws a config error). */
  loadProfile: (name: string) => Profile;
}

export function renewalDeps(ctx: JobContext): RenewalDeps {
  return {
    run: ctx.run,
    sbatch: execaSbatch,
    stateDir: ctx.stateDir,
    user: ctx.user,
    home: ctx.env.HOME || os.homedir(),
    env: ctx.env,
    remote: selfCommand(),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: ctx.log,
    loadProfile: (name) => getProfile(loadConfig(), name),
  };
}

/** This job's submitted record: a successor's says which job it renews and where its chain began. */
export function ownRecord(state: string, jobId: string): Submitted | undefined {
  return readStatus(state, jobId).find((e): e is Submitted => e.event === 'submitted');
}

/** The current session (`ssh <prefix>`, `remote swap`) follows the chain: it was the job this one renews. */
export function followCurrent(state: string, profile: string, jobId: string, renews: string | undefined): void {
  if (!renews) return;
  try {
    const current = readCurrent(state);
    if (current?.profile === profile && current.jobId === renews) writeCurrent(state, { profile, jobId });
  } catch {
    // `ssh <prefix>` follows the profile all the same
  }
}
