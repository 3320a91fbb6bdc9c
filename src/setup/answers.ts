// The wizard's questions, each answered by its flag, by the user, or (under
// --yes) by its default. A rerun for a cluster set up before starts from what
// its block says (login node, port, user, name, prefix, key); a new one from
// what the user's own ssh config says for the host.
import type { Asker } from './ask.js';
import { checkHost, checkName, checkPort, checkUser, clusterNameFromHost, type SetupArgs } from './args.js';
import { SetupError } from './errors.js';
import { blocksIn, configuredClusters, type ConfiguredCluster } from './clusters.js';
import { prefixFor } from './ssh-config-plan.js';
import { defaultKey, defaultSshConfig, type Laptop } from './laptop-paths.js';
import { userHostEntry } from './laptop-keys.js';

export interface Answers {
  host: string;
  port: number;
  user: string;
  cluster: string;
  prefix: string;
  sshConfig: string;
  /** True when --ssh-config names another file than ~/.ssh/config: the ProxyCommand then passes -F. */
  customConfig: boolean;
  /** The key for the login node and the sessions when it is not slurmhop's own: --identity, or the one the block names. */
  identity?: string | undefined;
  /** The block this run starts from (a rerun), if any. */
  previous?: ConfiguredCluster | undefined;
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
  const configured = configuredClusters(laptop);
  let prev = await previousCluster(args, configured, ask);
  const host = args.host ?? checkHost(await ask.text('Login node of your cluster (host name)', prev?.loginTarget.host, '--host', valid(checkHost)));
  if (prev && prev.loginTarget.host !== host && args.cluster === undefined) prev = undefined;
  prev ??= args.cluster === undefined ? configured.find((c) => c.loginTarget.host === host && (args.port === undefined || Number(c.loginTarget.port ?? 22) === args.port)) : undefined;
  const mine = userHostEntry(laptop, host);
  const port = args.port ?? checkPort(await ask.text('Its ssh port', String(prev?.loginTarget.port ?? mine.port ?? 22), '--port', valid(checkPort)));
  const localUser = (laptop.env.USER ?? laptop.env.USERNAME ?? '').toLowerCase();
  const user = args.user ?? checkUser(await ask.text('Your user name on the cluster', prev?.loginTarget.user ?? mine.user ?? (localUser || undefined), '--user', valid(checkUser)));
  // An address says nothing of the cluster's name: the user gives one.
  const nameDefault = prev?.name ?? (/^[0-9.:]+$/.test(host) ? undefined : clusterNameFromHost(host));
  const cluster = args.cluster ?? checkName('--cluster', await ask.text('A short name for this cluster (the login alias: "ssh NAME")', nameDefault, '--cluster', valid((v) => checkName('--cluster', v))));
  const def = defaultSshConfig(laptop);
  const sshConfig = args.sshConfig ?? prev?.sshConfig ?? def;
  // An uninstall removes the cluster's block by its name: the prefix is not asked.
  const prefix =
    args.prefix ??
    (args.uninstall
      ? (prev?.prefix ?? 'slurm')
      : checkName('--prefix', await ask.text('Prefix of the host names (PREFIX-cpu, PREFIX-gpu)', prev?.prefix ?? defaultPrefix(sshConfig, cluster), '--prefix', valid((v) => checkName('--prefix', v)))));
  const previousKey = prev?.identityFile?.replace(/%%/g, '%');
  const identity = args.identity ?? (previousKey && previousKey !== defaultKey(laptop, cluster) ? previousKey : undefined);
  return { host, port, user, cluster, prefix, sshConfig, customConfig: sshConfig !== def, identity, previous: prev };
}

/** The configured cluster a run is for: named, or (asked in a terminal) one of those set up. */
async function previousCluster(args: SetupArgs, configured: ConfiguredCluster[], ask: Asker): Promise<ConfiguredCluster | undefined> {
  if (args.cluster !== undefined) return configured.find((c) => c.name === args.cluster);
  if (args.host !== undefined || !ask.interactive || configured.length === 0) return undefined;
  if (configured.length === 1) return configured[0];
  return ask.choose<ConfiguredCluster | undefined>(
    'Which cluster?',
    [...configured.map((c) => ({ label: `${c.name} (set up: ${c.loginTarget.user ?? '?'}@${c.loginTarget.host ?? '?'})`, value: c })), { label: 'a new cluster', value: undefined }],
    '--cluster NAME',
  );
}

/** "slurm", unless another cluster's block already uses it: then slurm-<cluster> (the cluster's own name is its login alias). */
function defaultPrefix(sshConfig: string, cluster: string): string {
  const taken = blocksIn(sshConfig).some((c) => c.name !== cluster && (c.prefix === 'slurm' || c.profiles.some((p) => p.host.startsWith('slurm-'))));
  return taken ? prefixFor(cluster) : 'slurm';
}
