// End-to-end harness: the real local cluster (scripts/cluster), the real
// OpenSSH client on the "laptop" (the root namespace), the built binary.
import crypto from 'node:crypto';
import { execa, execaSync, type Options, type ResultPromise } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ROOT, executableOf, frontOf } from '../../src/install-layout.js';
import { PLACE_FILES } from '../../src/setup/cluster-install.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const CLUSTER = path.join(ROOT, 'scripts/cluster');
/** SLURMHOP_TEST_BINARY: test another build of the executable. */
export const BINARY = process.env.SLURMHOP_TEST_BINARY || path.join(ROOT, 'dist/remote-linux-x64');

export interface ClusterEnv {
  dir: string;
  loginHost: string;
  loginPort: string;
  loginKnownHosts: string;
  keysDir: string;
  /** The Debian suite the cluster runs (scripts/cluster up --suite): bookworm is the host's own packages. */
  suite: string;
  /** Wrappers running that suite's OpenSSH client on the laptop (none for bookworm). */
  laptopBin: string;
  /** scripts/cluster up --shape: plain, or production (a login pool, a caching home, cgroups, login limits). */
  shape: string;
  /** The second login node's forwarder port (production shape), '' without one. */
  login2Port: string;
  /** How long each node caches the home's lookups (production shape), 0 for a local home. */
  homeCacheSeconds: number;
}

const clusterDir = () => process.env.SLURMHOP_CLUSTER_DIR || '/var/lib/slurmhop-cluster';

function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i), l.slice(i + 1).replace(/^["']|["']$/g, '')];
    }),
  );
}

export function clusterEnv(): ClusterEnv {
  const dir = clusterDir();
  const file = path.join(dir, 'env');
  if (!fs.existsSync(file)) throw new Error(`the test cluster is not up (${file} is missing): run "scripts/cluster up"`);
  const env = readEnvFile(file);
  return {
    dir,
    loginHost: env.SLURMHOP_LOGIN_HOST ?? '127.0.0.1',
    loginPort: env.SLURMHOP_LOGIN_PORT ?? '2222',
    loginKnownHosts: env.SLURMHOP_LOGIN_KNOWN_HOSTS!,
    keysDir: env.SLURMHOP_LAPTOP_KEYS_DIR!,
    suite: env.SLURMHOP_SUITE || 'bookworm',
    laptopBin: env.SLURMHOP_LAPTOP_BIN ?? '',
    shape: env.SLURMHOP_SHAPE || 'plain',
    login2Port: env.SLURMHOP_LOGIN2_PORT ?? '',
    homeCacheSeconds: Number(env.SLURMHOP_HOME_CACHE_SECONDS || 0),
  };
}

/**
 * The laptop's OpenSSH is the cluster suite's (ssh, scp, sftp, ssh-keygen from
 * that suite): its wrappers go first on PATH for the tests and what they start.
 */
function useSuiteLaptopClient(): void {
  const file = path.join(clusterDir(), 'env');
  if (!fs.existsSync(file)) return;
  const bin = readEnvFile(file).SLURMHOP_LAPTOP_BIN;
  const entries = (process.env.PATH ?? '').split(':');
  if (bin && !entries.includes(bin)) process.env.PATH = [bin, ...entries].join(':');
}
useSuiteLaptopClient();

/**
 * Whether the laptop's ssh (the suite's, first on PATH) reads a configuration
 * option: asked of ssh itself, as the setup wizard does.
 */
export function laptopSshKnows(option: string, value = 'none'): boolean {
  return execaSync('ssh', ['-F', 'none', '-o', `${option}=${value}`, '-G', 'slurmhop.invalid'], { reject: false }).exitCode === 0;
}

/** The host's own ssh (bookworm's), whatever the suite of the laptop's client. */
export const HOST_SSH = '/usr/bin/ssh';

/** The suite of the running cluster (bookworm when none says otherwise). */
export const SUITE = fs.existsSync(path.join(clusterDir(), 'env')) ? clusterEnv().suite : 'bookworm';
/** The shape of the running cluster (scripts/cluster up --shape). */
export const SHAPE = fs.existsSync(path.join(clusterDir(), 'env')) ? clusterEnv().shape : 'plain';

/**
 * What a test writes into a home from the laptop's side stands for what the
 * user set up long before: on a caching home (production shape) the nodes may
 * still hold a lookup that found the name missing. Dropping the kernel's
 * cached lookups (every node's) is the time passing; the code under test
 * never gets this help.
 */
export function homeSettled(): void {
  if (SHAPE !== 'production') return;
  fs.writeFileSync('/proc/sys/vm/drop_caches', '2\n');
}

/** Run a command on a cluster node (login, c1, c2) as a user, inside that node's namespaces. */
export function onNode(node: string, user: string, command: string[], options: Options = {}) {
  return execa(CLUSTER, ['exec', node, '--user', user, '--', ...command], { reject: false, ...options });
}

export const homeOf = (user: string) => `/home/${user}`;
export const stateOf = (user: string) => `${homeOf(user)}/.local/state/slurmhop`;
export const configOf = (user: string) => `${homeOf(user)}/.config/slurmhop/config.ini`;

/** SLURMHOP_TEST_FRONT: test another build's front of remote. */
export const FRONT = process.env.SLURMHOP_TEST_FRONT || path.join(ROOT, 'dist/remote-front');

/**
 * Install remote for the user as setup does (setup/cluster-install.ts, its
 * very script): under `root` (default ~/.local, on the shared /home),
 * dist/remote-linux-x64 as lib/slurmhop/remote, then dist/remote-front as bin/remote.
 */
export function installRemote(user: string, root = `${homeOf(user)}/${DEFAULT_ROOT}`): void {
  for (const f of [BINARY, FRONT]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first`);
  const args: string[] = [];
  for (const [file, dest] of [[BINARY, executableOf(root)], [FRONT, frontOf(root)]] as const) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = path.join(path.dirname(dest), `.remote.slurmhop-upload-${crypto.randomBytes(4).toString('hex')}`);
    fs.copyFileSync(file, tmp);
    args.push(tmp, crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'), dest);
  }
  execaSync('sh', ['-c', PLACE_FILES, 'sh', ...args]);
  chownTree(user, root.startsWith(`${homeOf(user)}/`) ? `${homeOf(user)}/${path.relative(homeOf(user), root).split('/')[0]}` : root);
  homeSettled();
}

export function chownTree(user: string, dir: string): void {
  const { uid, gid } = fs.statSync(homeOf(user));
  const walk = (p: string) => {
    fs.lchownSync(p, uid, gid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
}

/** Write the user's config.ini as that user would (owned by them). */
export function writeConfig(user: string, text: string): void {
  const file = configOf(user);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  chownTree(user, `${homeOf(user)}/.config`);
  homeSettled();
}

export const PROFILES = `[profile.cpu]
partition = interactive
time = 30:00

[profile.gpu]
partition = gpu
gres = gpu:1
time = 30:00
`;

/** Cancel all the user's jobs and forget slurmhop state, keeping the host key. */
export async function resetUser(user: string): Promise<void> {
  await onNode('login', 'root', ['scancel', '-u', user]);
  await waitFor(async () => (await jobsOf(user)).length === 0, 20_000, `${user}'s jobs to leave the queue`);
  // history.jsonl too: `remote cleanup` archives pruned jobs there, and history reads it.
  // What they hold goes, the names stay: a node that looks a name up while it is
  // missing keeps that miss for a while on a caching home, as slurmhop never
  // removes these directories itself.
  for (const sub of ['jobs', 'logs', 'locks', 'live']) {
    const dir = `${stateOf(user)}/${sub}`;
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  if (fs.existsSync(`${stateOf(user)}/history.jsonl`)) fs.truncateSync(`${stateOf(user)}/history.jsonl`);
  homeSettled();
}

/**
 * A cluster user as a laptop's first setup finds them: no remote, no
 * config.ini, no slurmhop key in authorized_keys, and a new login password
 * (returned; `lockPassword` takes it away again).
 */
export async function freshLoginUser(user: string): Promise<string> {
  await resetUser(user);
  fs.rmSync(`${homeOf(user)}/.local/bin/remote`, { force: true });
  fs.rmSync(`${homeOf(user)}/.local/lib/slurmhop`, { recursive: true, force: true });
  fs.rmSync(`${homeOf(user)}/.config/slurmhop`, { recursive: true, force: true });
  const ak = `${homeOf(user)}/.ssh/authorized_keys`;
  fs.writeFileSync(ak, fs.readFileSync(ak, 'utf8').split('\n').filter((l) => !l.includes('slurmhop-local@')).join('\n'));
  homeSettled();
  const password = `pw-${crypto.randomBytes(9).toString('base64url')}`;
  await execa('chpasswd', { input: `${user}:${password}\n` });
  return password;
}

export async function lockPassword(user: string): Promise<void> {
  await execa('usermod', ['-p', '*', user], { reject: false });
}

/** A clean slate: every job of every user leaves the queue (e.g. the demo's jobs). */
export async function cancelAllJobs(): Promise<void> {
  const r = await onNode('login', 'root', ['squeue', '-h', '-o', '%i']);
  const ids = String(r.stdout).split('\n').filter(Boolean);
  if (ids.length) await onNode('login', 'root', ['scancel', ...ids]);
  await waitFor(async () => String((await onNode('login', 'root', ['squeue', '-h', '-o', '%i'])).stdout).trim() === '', 30_000, 'the queue to empty');
}

export interface QueuedJob {
  id: string;
  name: string;
  state: string;
  node: string;
}

export async function jobsOf(user: string): Promise<QueuedJob[]> {
  const r = await onNode('login', 'root', ['squeue', '-h', '-u', user, '-o', '%i|%j|%T|%N']);
  if (r.exitCode !== 0) throw new Error(`squeue failed: ${r.stderr}`);
  return String(r.stdout).split('\n').filter(Boolean).map((l) => {
    const [id, name, state, node] = l.split('|');
    return { id: id!, name: name!, state: state!, node: node! };
  });
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A laptop-side ssh config: `login` reaches the login node through the
 * forwarder; `slurm-<profile>` goes through `remote proxy <profile>` with the
 * job host key pinned under a HostKeyAlias.
 */
export class Laptop {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-laptop-'));
  readonly config = path.join(this.dir, 'ssh_config');
  readonly pinned = path.join(this.dir, 'known_hosts_jobs');

  constructor(
    readonly user: string,
    profiles: string[] = ['cpu', 'gpu'],
    readonly cluster = clusterEnv(),
  ) {
    const key = path.join(cluster.keysDir, `${user}_ed25519`);
    const common = [`  User ${user}`, `  IdentityFile ${key}`, '  IdentitiesOnly yes', '  BatchMode yes', '  StrictHostKeyChecking yes', '  LogLevel ERROR'];
    const lines = [
      'Host login',
      `  HostName ${cluster.loginHost}`,
      `  Port ${cluster.loginPort}`,
      `  UserKnownHostsFile ${cluster.loginKnownHosts}`,
      ...common,
    ];
    // The login pool's second node (production shape): the same name would land on either.
    if (cluster.login2Port) {
      lines.push('', 'Host login2', `  HostName ${cluster.loginHost}`, `  Port ${cluster.login2Port}`, `  UserKnownHostsFile ${cluster.loginKnownHosts}`, ...common);
    }
    // `slurm` follows the current session (remote proxy --current), as the setup wizard writes it.
    for (const p of [...profiles, '--current']) {
      lines.push(
        '',
        p === '--current' ? 'Host slurm' : `Host slurm-${p}`,
        `  ProxyCommand ssh -F ${this.config} login .local/bin/remote proxy ${p}`,
        `  HostKeyAlias slurmhop-test-${user}`,
        `  UserKnownHostsFile ${this.pinned}`,
        '  ServerAliveInterval 15',
        ...common,
      );
    }
    fs.writeFileSync(this.config, `${lines.join('\n')}\n`);
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Ask the cluster for the user's job host key and pin it. */
  async pinHostKey(): Promise<string> {
    const r = await this.ssh(['login', '.local/bin/remote', 'hostkey']);
    if (r.exitCode !== 0) throw new Error(`remote hostkey failed: ${r.stderr}`);
    const line = `slurmhop-test-${this.user} ${String(r.stdout).trim()}\n`;
    fs.writeFileSync(this.pinned, line);
    return line;
  }

  ssh(args: string[], options: Options = {}): ResultPromise<Options & { reject: false }> {
    return execa('ssh', ['-F', this.config, ...args], { reject: false, stdin: 'ignore', ...options }) as never;
  }

  /** An ssh session left open; `opened` waits until its output shows `marker`. */
  open(args: string[], marker: string) {
    const ssh = this.ssh(args);
    let out = '';
    ssh.stdout!.on('data', (d) => (out += d));
    const opened = () => waitFor(() => out.includes(marker), 30_000, `"${marker}" from ssh ${args.join(' ')}`);
    return { ssh, output: () => out, opened };
  }

  /** The login node runs `remote` for us: stdin stays open, as for a real ProxyCommand. */
  remote(args: string[], options: Options = {}) {
    return this.ssh(['login', '.local/bin/remote', ...args], options);
  }
}

/** A user with the binary, the default profiles, no jobs, and a laptop with the job host key pinned. */
export async function prepareUser(user: string, profiles?: string[], config = PROFILES): Promise<Laptop> {
  installRemote(user);
  writeConfig(user, config);
  await resetUser(user);
  const laptop = new Laptop(user, profiles);
  await laptop.pinHostKey();
  return laptop;
}
