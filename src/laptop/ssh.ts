// How the laptop command reaches a configured cluster: the real ssh, through
// the login alias the wizard wrote (its pinned key, its ControlMaster), with
// -F when the block lives in another file than ~/.ssh/config.
import { defaultSshConfig, requireSshProgram, setupError, type ConfiguredCluster, type Laptop } from '../setup/index.js';
import type { LaptopEnv, RunOptions, RunResult } from './env.js';

/** Runs ssh through the cluster's login alias with `args` after it; ssh missing is said as such. */
export async function sshToLogin(env: LaptopEnv, cluster: ConfiguredCluster, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const ssh = requireSshProgram(env.laptop);
  const r = await env.run(ssh, [...configArgs(env.laptop, cluster), ...args], options);
  if (r.exitCode === -1) throw setupError('missing-program', `${ssh} was not found`, 'install the OpenSSH client (on Windows: Settings > Apps > Optional features > OpenSSH Client)');
  return r;
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
