// The wizard's questions, each answered by its flag, by the user, or (under
// --yes) by its default.
import type { Asker } from './ask.js';
import { checkHost, checkName, checkPort, checkUser, clusterNameFromHost, type SetupArgs } from './args.js';
import { SetupError } from './errors.js';
import { blocksIn } from './clusters.js';
import { prefixFor } from './ssh-config-plan.js';
import { defaultSshConfig, type Laptop } from './laptop-paths.js';

export interface Answers {
  host: string;
  port: number;
  user: string;
  cluster: string;
  prefix: string;
  sshConfig: string;
  /** True when --ssh-config names another file than ~/.ssh/config: the ProxyCommand then passes -F. */
  customConfig: boolean;
}

/** A prompt validator from a check that throws a SetupError. */
export const valid = (check: (v: string) => unknown) => (v: string) => {
  try {
    check(v);
    return true as const;
  } catch (err) {
    return err instanceof SetupError ? err.message : String(err);
  }
};

export async function gatherAnswers(args: SetupArgs, laptop: Laptop, ask: Asker): Promise<Answers> {
  const host = args.host ?? checkHost(await ask.text('Login node of your cluster (host name)', undefined, '--host', valid(checkHost)));
  const port = args.port ?? checkPort(await ask.text('Its ssh port', '22', '--port', valid(checkPort)));
  const localUser = (laptop.env.USER ?? laptop.env.USERNAME ?? '').toLowerCase();
  const user = args.user ?? checkUser(await ask.text('Your user name on the cluster', localUser || undefined, '--user', valid(checkUser)));
  const cluster = args.cluster ?? checkName('--cluster', await ask.text('A short name for this cluster (the login alias)', clusterNameFromHost(host), '--cluster', valid((v) => checkName('--cluster', v))));
  const def = defaultSshConfig(laptop);
  const sshConfig = args.sshConfig ?? def;
  // An uninstall removes the cluster's block by its name: the prefix is not asked.
  const prefix =
    args.prefix ??
    (args.uninstall ? 'slurm' : checkName('--prefix', await ask.text('Prefix of the host names (PREFIX-cpu, PREFIX-gpu)', defaultPrefix(sshConfig, cluster), '--prefix', valid((v) => checkName('--prefix', v)))));
  return { host, port, user, cluster, prefix, sshConfig, customConfig: sshConfig !== def };
}

/** "slurm", unless another cluster's block already uses it: then slurm-<cluster> (the cluster's own name is its login alias). */
function defaultPrefix(sshConfig: string, cluster: string): string {
  const taken = blocksIn(sshConfig).some((c) => c.name !== cluster && (c.prefix === 'slurm' || c.profiles.some((p) => p.host.startsWith('slurm-'))));
  return taken ? prefixFor(cluster) : 'slurm';
}
