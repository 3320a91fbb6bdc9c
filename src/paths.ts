// The contract's file layout (DESIGN.md "Contract"): every path in one place.
import os from 'node:os';
import path from 'node:path';

type Env = NodeJS.ProcessEnv;

const home = (env: Env) => env.HOME || os.homedir();

export function configDir(env: Env = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(home(env), '.config'), 'slurmhop');
}

export function configFile(env: Env = process.env): string {
  return path.join(configDir(env), 'config.ini');
}

export function stateDir(env: Env = process.env): string {
  return path.join(env.XDG_STATE_HOME || path.join(home(env), '.local', 'state'), 'slurmhop');
}

export const jobsDir = (state: string) => path.join(state, 'jobs');
export const jobDir = (state: string, jobId: string) => path.join(state, 'jobs', jobId);
export const contactFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'contact');
/** A container's group file without the tty group its user namespace does not map (job/container/prepare.ts). */
export const containerGroupFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'container-group');
/** Left by `remote swap` before it cancels the job: the end is a move, not a cancel. */
export const swapMarkFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'swapped');
/** Index of the live contacts, one directory per profile. */
export const liveDir = (state: string) => path.join(state, 'live');
/** A profile's index; a name that is not a profile's names nothing (a name from argv or a damaged file). */
export function liveProfileDir(state: string, profile: string): string | undefined {
  return PROFILE_NAME.test(profile) ? path.join(liveDir(state), profile) : undefined;
}
export const aliveFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'alive');
/** transport = node-sshd: the relays of the user's proxies, each with the address it connects from (job/sessions.ts). */
export const relaysDir = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'relays');
/** The VS Code server versions the job's node runs, while it runs (job/vscode-servers.ts, doctor/cleanup.ts). */
export const vscodeServersFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'vscode-servers');
export const statusFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'status');
export const sshdLogFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'sshd.log');
export const sshdConfigFile = (state: string, jobId: string) => path.join(jobDir(state, jobId), 'sshd_config');
/** sbatch opens --output before the job starts, so it lives in a directory that already exists. */
export const logsDir = (state: string) => path.join(state, 'logs');
export const jobOutputPattern = (state: string) => path.join(logsDir(state), '%j.out');
export const jobOutputFile = (state: string, jobId: string) => path.join(logsDir(state), `${jobId}.out`);
export const locksDir = (state: string) => path.join(state, 'locks');
/** The records of pruned jobs (state/prune.ts). */
export const historyArchive = (state: string) => path.join(state, 'history.jsonl');
export const hostKeyFile = (state: string) => path.join(state, 'hostkey', 'ssh_host_ed25519_key');

/**
 * What a profile may be called (config.ini checks it; every path built from a
 * name that came from argv or a file checks it too). Not all digits: `remote
 * cancel 42` means a job id; never a path: no `/`, no leading dot.
 */
export const PROFILE_NAME = /^(?!\d+$)[a-z0-9][a-z0-9_-]{0,31}$/;

export const jobName = (profile: string) => `slurmhop-${profile}`;
export const JOB_NAME_PREFIX = 'slurmhop-';
