// A profile of a configured cluster as the laptop's commands reach it: its
// host in the ssh config (`<prefix>-<profile>`), the ssh line that lands on
// it, the user's jobs of it (`remote list --json` through the login alias),
// and a folder on the cluster as the user typed it.
import { pickCluster, REMOTE_BINARY, setupError, type ConfiguredCluster } from '../setup/index.js';
import type { LaptopEnv } from './env.js';
import { configArgs, sshToLogin } from './ssh.js';

export interface ProfileTarget {
  cluster: ConfiguredCluster;
  profile: string;
  /** The profile's host in the ssh config: `ssh HOST` lands in its job. */
  host: string;
  /** What to type in a terminal to land there. */
  sshLine: string;
}

export function profileTarget(env: LaptopEnv, clusterName: string | undefined, profile: string): ProfileTarget {
  const c = pickCluster(env.laptop, clusterName);
  const host = c.profiles.find((p) => p.profile === profile)?.host;
  if (!host) throw setupError('usage', `cluster ${c.name} has no profile "${profile}" (it has ${c.profiles.map((p) => p.profile).join(', ')})`, 'see "slurmhop clusters"; profiles are sections of config.ini on the cluster (then run "slurmhop setup" again)');
  const config = configArgs(env.laptop, c).map((a) => (/\s/.test(a) ? `"${a}"` : a));
  return { cluster: c, profile, host, sshLine: ['ssh', ...config, host].join(' ') };
}

export interface RemoteJob {
  id: string;
  profile: string;
  state: string;
  node: string | null;
}

/** The user's slurmhop jobs on the cluster; undefined when `remote list --json` cannot say (it failed, an older remote). */
export async function remoteJobs(env: LaptopEnv, c: ConfiguredCluster): Promise<RemoteJob[] | undefined> {
  const r = await sshToLogin(env, c, ['-T', '-o', 'LogLevel=ERROR', c.login, c.remote ?? REMOTE_BINARY, 'list', '--json'], { capture: true });
  if (r.exitCode !== 0) return undefined;
  try {
    // A login shell may print something before it: the JSON is the array at the end.
    const text = r.stdout.slice(r.stdout.search(/^\[/m));
    const jobs = JSON.parse(text) as unknown;
    if (!Array.isArray(jobs)) return undefined;
    return jobs.filter((j): j is RemoteJob => typeof j === 'object' && j !== null && typeof (j as RemoteJob).id === 'string' && typeof (j as RemoteJob).profile === 'string');
  } catch {
    return undefined;
  }
}

/**
 * A folder on the cluster as typed: absolute as it is, else relative to the
 * home directory there ('' is the home). `~/x` typed in the laptop's shell
 * arrives as the laptop's home + /x: that means the home on the cluster too.
 */
export function clusterFolder(laptopHomeDir: string, typed: string | undefined): string {
  const laptopHome = laptopHomeDir.replace(/\\/g, '/').replace(/\/$/, '');
  const slashed = typed?.replace(/\\/g, '/');
  if (slashed === undefined || slashed === laptopHome) return '';
  if (slashed.startsWith(`${laptopHome}/`)) return slashed.slice(laptopHome.length + 1);
  if (slashed.startsWith('/')) return slashed;
  return slashed.replace(/^~(\/|$)/, '');
}
