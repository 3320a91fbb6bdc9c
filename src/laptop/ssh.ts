// How the laptop command reaches a configured cluster: the real ssh, through
// the login alias the wizard wrote (its pinned key, its ControlMaster), with
// -F when the block lives in another file than ~/.ssh/config.
import { configuredClusters, defaultSshConfig, pickCluster, REMOTE_BINARY, requireSshProgram, setupError, type ConfiguredCluster, type Laptop } from '../setup/index.js';
import type { LaptopEnv, RunOptions, RunResult } from './env.js';
import { laptopWords } from './hints.js';

/** Runs ssh through the cluster's login alias with `args` after it; ssh missing is said as such. */
export async function sshToLogin(env: LaptopEnv, cluster: ConfiguredCluster, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const ssh = requireSshProgram(env.laptop);
  const r = await env.run(ssh, [...configArgs(env.laptop, cluster), ...args], options);
  if (r.exitCode === -1) throw setupError('missing-program', `${ssh} was not found`, 'install the OpenSSH client (on Windows: Settings > Apps > Optional features > OpenSSH Client)');
  return r;
}

/** remote's exit code when a job stayed pending past pending_timeout (src/cli/exit-codes.ts). */
const PENDING_TIMEOUT = 5;

/**
 * `remote WORDS` on the cluster's login node: a terminal when this is one,
 * ssh's own chatter ("Shared connection ... closed") left out, remote's hints
 * told in the laptop's words.
 */
export async function runRemote(env: LaptopEnv, clusterName: string | undefined, words: string[], options: { allToStderr?: boolean } = {}): Promise<RunResult & { cluster: ConfiguredCluster }> {
  const c = pickCluster(env.laptop, clusterName);
  const several = configuredClusters(env.laptop).length > 1;
  const r = await sshToLogin(env, c, [env.interactive ? '-t' : '-T', '-o', 'LogLevel=ERROR', c.login, c.remote ?? REMOTE_BINARY, ...plainWords(words)], { rewrite: laptopWords(c, several), ...options });
  if (r.exitCode === PENDING_TIMEOUT) {
    env.err(`slurmhop: pending_timeout is a setting of config.ini on the cluster (\${XDG_CONFIG_HOME:-~/.config}/slurmhop/config.ini there): "slurmhop config${several ? ` --cluster ${c.name}` : ''}" opens it\n`);
  }
  return { ...r, cluster: c };
}

export function configArgs(laptop: Laptop, cluster: ConfiguredCluster): string[] {
  return cluster.sshConfig === defaultSshConfig(laptop) ? [] : ['-F', cluster.sshConfig];
}

/**
 * Words for the command line ssh hands to the login shell (bash, tcsh, fish:
 * any of them): only words no shell reads specially pass, the rest is refused
 * rather than quoted for one shell and misread by another.
 */
export function plainWords(words: string[]): string[] {
  const bad = words.find((w) => !/^[A-Za-z0-9_.,:=/@%+-]+$/.test(w));
  if (bad !== undefined) throw setupError('usage', `"${bad}" cannot be passed to the login node as it is`, 'use letters, digits and _ . , : = / @ % + - only');
  return words;
}
