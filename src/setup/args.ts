// The wizard's command line: every question has a flag. Values are checked
// here, so a bad one is reported with the option's name before anything runs.
import { parseArgs } from 'node:util';
import { setupError } from './errors.js';
import { checkInstallDir } from './install-place.js';

export interface SetupArgs {
  host?: string | undefined;
  port?: number | undefined;
  user?: string | undefined;
  identity?: string | undefined;
  cluster?: string | undefined;
  prefix?: string | undefined;
  sshConfig?: string | undefined;
  acceptNewHostKey: boolean;
  vscode: boolean;
  /** remote.SSH.serverInstallPath for the cluster's hosts. */
  vscodeServerPath?: string | undefined;
  /** Where remote goes on the cluster instead of ~/.local (install-place.ts). */
  installDir?: string | undefined;
  check: boolean;
  dryRun: boolean;
  uninstall: boolean;
  yes: boolean;
  passwordStdin: boolean;
  help: boolean;
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  identity: { type: 'string' },
  cluster: { type: 'string' },
  prefix: { type: 'string' },
  'ssh-config': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  'no-vscode': { type: 'boolean' },
  'vscode-server-path': { type: 'string' },
  'install-dir': { type: 'string' },
  'no-check': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  uninstall: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'password-stdin': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: slurmhop setup [options]     (from a checkout: npm run setup -- [options])

Sets up "ssh <prefix>-<profile>" (and VS Code Remote-SSH) for a Slurm cluster:
a key, the remote binary on the cluster, profiles, a pinned host key and a
managed block in your ssh config. Asks what it needs; every question has a flag.

  --host HOST             the cluster's login node (name or address)
  --port N                its ssh port (22)
  --user NAME             your user name on the cluster (your ssh config's, else
                          your local one)
  --identity FILE         an existing private key to log in with and to use for
                          the sessions (default: the one set up before, or a new
                          ~/.ssh/slurmhop_<cluster>_ed25519; in a terminal, asked
                          when no key logs you in)
  --cluster NAME          names the config block and the login alias (from --host;
                          a cluster set up before starts from its answers)
  --prefix P              host names P-cpu, P-gpu, ... (slurm)
  --ssh-config FILE       the ssh config to edit (~/.ssh/config)
  --accept-new-host-key   trust the login node's host key if it is not known yet
  --password-stdin        read the login password from standard input
  --no-vscode             leave VS Code's settings alone
  --vscode-server-path DIR
                          where VS Code's server goes on the cluster (it makes
                          DIR/.vscode-server): a scratch or project directory
                          when your home there is small (default: your home)
  --install-dir DIR       where remote goes on the cluster (DIR/bin/remote and
                          DIR/lib/slurmhop/remote) instead of ~/.local: a
                          directory that allows executables and that the compute
                          nodes see at the same path (absolute, ~/... or
                          '$VARIABLE/...'); where your home is mounted noexec,
                          setup finds one ($WORK, $PROJECT, $SCRATCH, /work/$USER,
                          /scratch/$USER) and says which
  --no-check              do not connect through the new config at the end
  --dry-run               show what would change (diffs) and change nothing
  --uninstall             remove what setup made: after a yes, on the cluster
                          (your jobs cancelled first, asked; config.ini kept as a
                          backup), then here; it lists what it leaves
  --yes, -y               no questions: take the defaults (scripts, tests)
  --help, -h              this text`;

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\$?$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+$|^\[?[0-9A-Fa-f:.]+\]?$/;

export function parseSetupArgs(argv: string[]): SetupArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  } catch (err) {
    throw setupError('usage', (err as Error).message.split('\n')[0]!, 'see "slurmhop setup --help"');
  }
  const v = parsed.values;
  const args: SetupArgs = {
    host: v.host === undefined ? undefined : checkHost(v.host),
    port: v.port === undefined ? undefined : checkPort(v.port),
    user: v.user === undefined ? undefined : checkUser(v.user),
    identity: v.identity === undefined ? undefined : nonEmpty('--identity', v.identity),
    cluster: v.cluster === undefined ? undefined : checkName('--cluster', v.cluster),
    prefix: v.prefix === undefined ? undefined : checkName('--prefix', v.prefix),
    sshConfig: v['ssh-config'] === undefined ? undefined : nonEmpty('--ssh-config', v['ssh-config']),
    acceptNewHostKey: v['accept-new-host-key'] === true,
    vscode: v['no-vscode'] !== true,
    vscodeServerPath: v['vscode-server-path'] === undefined ? undefined : checkServerPath(v['vscode-server-path']),
    installDir: v['install-dir'] === undefined ? undefined : checkInstallDir(v['install-dir']),
    check: v['no-check'] !== true,
    dryRun: v['dry-run'] === true,
    uninstall: v.uninstall === true,
    yes: v.yes === true,
    passwordStdin: v['password-stdin'] === true,
    help: v.help === true,
  };
  return args;
}

function nonEmpty(option: string, value: string): string {
  if (value.trim() === '') throw setupError('usage', `${option} needs a value`);
  return value;
}

export function checkHost(value: string): string {
  if (!HOST.test(value) || value.length > 253) {
    throw setupError('usage', `--host: "${value}" is not a host name or address`, 'give the login node\'s name, e.g. --host login.cluster.example.org (no user@, no port)');
  }
  return value.replace(/^\[|\]$/g, '');
}

export function checkPort(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw setupError('usage', `--port: "${value}" is not a port number (1-65535)`);
  return n;
}

export function checkUser(value: string): string {
  if (!USER.test(value)) {
    throw setupError('usage', `--user: "${value}" is not a user name`, 'letters, digits, ".", "_" and "-" (as on the cluster)');
  }
  return value;
}

/** An absolute directory on the cluster; VS Code writes it into a remote command line, so only plain characters. */
export function checkServerPath(value: string): string {
  if (!/^\/[A-Za-z0-9_.,:=@%+\/-]*$/.test(value)) {
    throw setupError('usage', `--vscode-server-path: "${value}" is not an absolute path of plain characters`, 'give a directory on the cluster such as /scratch/<you> (letters, digits and _ . , : = @ % + - /)');
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

export function checkName(option: string, value: string): string {
  if (!NAME.test(value)) {
    throw setupError('usage', `${option}: "${value}" is not allowed`, 'use lower-case letters, digits, "-" and "_" (at most 32, starting with a letter or digit)');
  }
  return value;
}

/** A default cluster name from the login host: "login1.hpc.example.org" -> "hpc". */
export function clusterNameFromHost(host: string): string {
  if (/^[0-9.:]+$/.test(host)) return 'cluster';
  const labels = host.toLowerCase().split('.').filter(Boolean);
  const generic = /^(login|ssh|gw|gateway|head|frontend|access)\d*$/;
  const pick = labels.find((l) => !generic.test(l) && NAME.test(l)) ?? labels.find((l) => NAME.test(l));
  return pick ?? 'cluster';
}
