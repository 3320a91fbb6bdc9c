// Where the user's sessions reach the job's sshd from: the relay of `remote
// proxy` connects from the login node that runs it (transport = srun: from
// the node's loopback, through srun). Slurm names the login node that
// submitted the job (SLURM_SUBMIT_HOST); its IPv4 addresses, as this node
// resolves them, are exempt from sshd's penalties (templates/sshd-config.ts).
// Other login nodes of the cluster are not known here: connects through them
// are penalised like any other address, and only for failing.
import dns from 'node:dns';
import net from 'node:net';

export type ResolveIPv4 = (host: string) => Promise<string[]>;

const LOOKUP_TIMEOUT_MS = 5_000;

export interface SessionSources {
  addresses: string[];
  /** For the job's output: where they came from, or why there are none. */
  note: string;
}

export async function sessionSources(env: NodeJS.ProcessEnv, transport: string | undefined, resolve: ResolveIPv4 = resolveIPv4): Promise<SessionSources> {
  if (transport === 'srun') return { addresses: ['127.0.0.1'], note: 'sessions come through srun, from this node\'s loopback' };
  const host = env.SLURM_SUBMIT_HOST?.trim();
  if (!host) return { addresses: [], note: 'SLURM_SUBMIT_HOST is not set: the login node\'s address is unknown' };
  if (net.isIPv4(host)) return { addresses: [host], note: `the submitting login node ${host}` };
  let found: string[];
  try {
    found = (await resolve(host)).filter((a) => net.isIPv4(a));
  } catch (err) {
    return { addresses: [], note: `the submitting login node ${host} does not resolve here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  const addresses = [...new Set(found)].sort();
  if (!addresses.length) return { addresses: [], note: `the submitting login node ${host} has no IPv4 address here` };
  return { addresses, note: `the submitting login node ${host} (${addresses.join(', ')})` };
}

/** Every IPv4 address of a name, as the node's resolver (/etc/hosts, DNS) gives them; a resolver that hangs counts as none. */
function resolveIPv4(host: string): Promise<string[]> {
  const lookup = dns.promises.lookup(host, { all: true, family: 4 }).then((all) => all.map((a) => a.address));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${LOOKUP_TIMEOUT_MS / 1000}s`), { code: 'ETIMEOUT' })), LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([lookup, deadline]).finally(() => clearTimeout(timer));
}
