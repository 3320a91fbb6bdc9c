// The setup wizard against the local cluster's login sshd: from a laptop home
// that has never seen the cluster to `ssh slurm-cpu` landing on a compute node,
// with the real OpenSSH client. Users: fay (password), gus (password, then a
// keyboard-interactive round: how MFA clusters log in).
import crypto from 'node:crypto';
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { BINARY, clusterEnv, FRONT, configOf, freshLoginUser, homeOf, laptopSshKnows, lockPassword, onNode, ROOT, stateOf, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';

const cluster = clusterEnv();
const tmp = tempDirs('slurmhop-setup-e2e-');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const passwords = new Map<string, string>();
const masters: Array<[string, string]> = [];

interface Laptop {
  dir: string;
  home: string;
  config: string;
}

function laptop(configText?: string): Laptop {
  const dir = tmp();
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const config = path.join(dir, 'ssh_config');
  if (configText !== undefined) fs.writeFileSync(config, configText);
  return { dir, home, config };
}

function setup(l: Laptop, user: string, extra: string[], input = '') {
  const env: Record<string, string | undefined> = { ...process.env, HOME: l.home, SSH_AUTH_SOCK: undefined, XDG_CONFIG_HOME: undefined };
  return execa(TSX, [path.join(ROOT, 'setup.ts'), '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', user, '--cluster', 'local', '--ssh-config', l.config, ...extra], {
    reject: false,
    input,
    env,
    extendEnv: false,
    cwd: l.dir,
    timeout: 280_000,
  });
}

const ssh = (l: Laptop, args: string[]) => execa('ssh', ['-F', l.config, '-o', 'StrictHostKeyChecking=yes', ...args], { reject: false, stdin: 'ignore', timeout: 120_000 });

/** Content, mode, mtime and inode of every regular file under the laptop dir, and the cluster files the wizard manages. */
function snapshot(l: Laptop, user: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) return fs.readdirSync(p).forEach((e) => walk(path.join(p, e)));
    if (!st.isFile() || p.includes(`${path.sep}.npm${path.sep}`)) return;
    out[p] = `${st.mode.toString(8)} ${st.mtimeMs} ${st.ino} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
  };
  walk(l.dir);
  for (const f of [`${homeOf(user)}/.ssh/authorized_keys`, configOf(user), `${homeOf(user)}/.local/bin/remote`, `${homeOf(user)}/.local/lib/slurmhop/remote`, `${homeOf(user)}/.local/state/slurmhop/hostkey/ssh_host_ed25519_key.pub`]) {
    const st = fs.statSync(f);
    out[f] = `${st.mode.toString(8)} ${st.mtimeMs} ${st.ino}`;
  }
  return out;
}

beforeAll(async () => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build"`);
  for (const user of ['fay', 'gus', 'bob']) passwords.set(user, await freshLoginUser(user));
});

afterAll(async () => {
  for (const [config, host] of masters) await execa('ssh', ['-F', config, '-O', 'exit', host], { reject: false });
  for (const user of passwords.keys()) {
    await lockPassword(user);
    await onNode('login', 'root', ['scancel', '-u', user]);
  }
});

const MINE = '# my own settings, kept byte for byte\r\nHost github.com\r\n\tUser git\r\n';

describe('setup from a laptop that has never seen the cluster', () => {
  const l = laptop(MINE);
  masters.push([l.config, 'local']);

  it('--yes with a password: then ssh slurm-cpu lands on a compute node with StrictHostKeyChecking yes', async () => {
    const r = await setup(l, 'fay', ['--accept-new-host-key', '--password-stdin'], `${passwords.get('fay')}\n`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not known yet; its host key is ssh-ed25519 SHA256:/);
    expect(r.stderr).toMatch(/landed on c[12], inside Slurm job \d+/);
    const landed = await ssh(l, ['slurm-cpu', 'hostname']);
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(landed.stdout.trim()).toMatch(/^c[12]$/);
    const config = fs.readFileSync(l.config, 'utf8');
    expect(config.endsWith(MINE)).toBe(true);
    expect(config).toContain('\r\nHost slurm-gpu\r\n  ProxyCommand ssh -T -F ');
    const key = path.join(l.home, '.ssh', 'slurmhop_local_ed25519');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(key)).mode & 0o777).toBe(0o700);
    const pub = fs.readFileSync(`${key}.pub`, 'utf8').trim().split(' ')[1]!;
    const ak = fs.readFileSync(`${homeOf('fay')}/.ssh/authorized_keys`, 'utf8');
    expect(ak.split(pub).length - 1).toBe(1);
    expect(fs.readFileSync(configOf('fay'), 'utf8')).toMatch(/\[profile\.cpu\][\s\S]*\[profile\.gpu\]\npartition = gpu\ngres = gpu:1/);
    // The layout: the executable under lib/, the front that the ProxyCommand runs under bin/.
    expect(fs.readFileSync(`${homeOf('fay')}/.local/lib/slurmhop/remote`).equals(fs.readFileSync(BINARY))).toBe(true);
    expect(fs.readFileSync(`${homeOf('fay')}/.local/bin/remote`).equals(fs.readFileSync(FRONT))).toBe(true);
    const pinned = fs.readFileSync(path.join(l.home, '.ssh', 'slurmhop_known_hosts'), 'utf8');
    expect(pinned).toContain(`slurmhop-local ${fs.readFileSync(`${homeOf('fay')}/.local/state/slurmhop/hostkey/ssh_host_ed25519_key.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`);
  });

  itOnceOnBookworm('a second run with the same answers changes no file, here or on the cluster', async () => {
    const before = snapshot(l, 'fay');
    const r = await setup(l, 'fay', []);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`unchanged: ${l.config}`);
    expect(snapshot(l, 'fay')).toEqual(before);
  });

  itOnceOnBookworm('--dry-run of a different prefix prints the diff and writes nothing', async () => {
    const before = snapshot(l, 'fay');
    const r = await setup(l, 'fay', ['--dry-run', '--prefix', 'hop']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('-Host slurm-cpu');
    expect(r.stdout).toContain('+Host hop-cpu');
    expect(r.stdout).toContain('dry run: nothing was written');
    expect(snapshot(l, 'fay')).toEqual(before);
  });

  itOnceOnBookworm('--uninstall (with --yes) cancels the job, removes the block, the pinned keys, the binary, the state directory, and keeps config.ini as a backup', async () => {
    const r = await setup(l, 'fay', ['--uninstall']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ok: cancelled job \d+ \(cpu/);
    expect(fs.readFileSync(l.config, 'utf8')).toBe(MINE);
    // The pinned keys go; the login node's key, accepted during setup, stays for plain ssh.
    expect(fs.existsSync(path.join(l.home, '.ssh', 'slurmhop_known_hosts'))).toBe(false);
    expect(fs.readFileSync(path.join(l.home, '.ssh', 'known_hosts'), 'utf8')).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 \S+\n$/);
    expect(fs.existsSync(`${homeOf('fay')}/.local/bin/remote`)).toBe(false);
    expect(fs.existsSync(`${homeOf('fay')}/.local/lib/slurmhop`)).toBe(false);
    expect(fs.existsSync(stateOf('fay'))).toBe(false);
    expect(fs.existsSync(configOf('fay'))).toBe(false);
    expect(fs.readdirSync(path.dirname(configOf('fay'))).filter((f) => f.startsWith('config.ini.slurmhop-backup-')).length).toBeGreaterThan(0);
    expect(fs.readdirSync(l.dir).filter((f) => f.includes('slurmhop-backup')).length).toBeGreaterThan(0);
  });
});

describe('setup stops with nothing written', () => {
  itOnceOnBookworm('when the ssh config cannot be parsed: the error names the line', async () => {
    const text = 'Host a\n  HostName a.example.org\n  User "unterminated\n';
    const l = laptop(text);
    const r = await setup(l, 'fay', ['--accept-new-host-key', '--password-stdin'], `${passwords.get('fay')}\n`);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`${l.config}:3: unbalanced quotes`);
    expect(fs.readFileSync(l.config, 'utf8')).toBe(text);
    expect(fs.readdirSync(l.dir).sort()).toEqual(['home', 'ssh_config']);
    expect(fs.readdirSync(l.home)).toEqual([]);
  });

  itOnceOnBookworm('when the login node\'s host key changed: exit 5, the known_hosts line is named', async () => {
    const l = laptop();
    const ssh = path.join(l.home, '.ssh');
    fs.mkdirSync(ssh, { mode: 0o700 });
    const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIC4v4uMUKZiz6mwz1gahnWz/4Y8OjcAADRgV/OaqaQyo';
    fs.writeFileSync(path.join(ssh, 'known_hosts'), `[${cluster.loginHost}]:${cluster.loginPort} ssh-ed25519 ${other}\n`);
    const r = await setup(l, 'fay', ['--accept-new-host-key', '--password-stdin'], `${passwords.get('fay')}\n`);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain(`known: ${path.join(ssh, 'known_hosts')}:1 (ssh-ed25519)`);
    expect(fs.readdirSync(l.dir)).toEqual(['home']);
    expect(fs.readdirSync(ssh)).toEqual(['known_hosts']);
  });

  itOnceOnBookworm('when the host key is unknown and not accepted', async () => {
    const l = laptop();
    const r = await setup(l, 'fay', ['--password-stdin'], `${passwords.get('fay')}\n`);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/not known yet: ssh-ed25519 SHA256:\S+[\s\S]*--accept-new-host-key/);
    expect(fs.readdirSync(l.home)).toEqual([]);
  });
});

describe('a login with a second, keyboard-interactive round (MFA-like)', () => {
  it('gus: a password, then the keyboard-interactive prompt the server sends; then gus-cpu lands', async () => {
    const l = laptop();
    masters.push([l.config, 'local']);
    const r = await setup(l, 'gus', ['--accept-new-host-key', '--password-stdin', '--no-check', '--prefix', 'gus'], `${passwords.get('gus')}\n`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('logged in as gus (keyboard-interactive)');
    const landed = await ssh(l, ['gus-cpu', 'hostname']);
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(landed.stdout.trim()).toMatch(/^c[12]$/);
  });
});

// The laptop's own OpenSSH decides whether transport = node-sshd can work: its
// block needs KnownHostsCommand (OpenSSH 8.5+). On a suite whose client lacks
// it (bullseye's 8.4), the wizard must refuse with nothing written; elsewhere
// the profile lands through the node's own sshd.
describe('a transport = node-sshd profile and the laptop\'s ssh', () => {
  it(laptopSshKnows('KnownHostsCommand') ? 'this ssh reads KnownHostsCommand: the profile lands through the node\'s sshd' : 'this ssh cannot read KnownHostsCommand: setup refuses, naming the profile and the fix, and writes nothing', async () => {
    writeConfig('bob', '[profile.cpu]\npartition = interactive\ntime = 30:00\n\n[profile.adopt]\npartition = interactive\ntransport = node-sshd\n');
    const l = laptop(MINE);
    masters.push([l.config, 'local']);
    const r = await setup(l, 'bob', ['--accept-new-host-key', '--password-stdin', '--no-check'], `${passwords.get('bob')}\n`);
    if (!laptopSshKnows('KnownHostsCommand')) {
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/profile adopt uses transport = node-sshd, whose node host keys the laptop's ssh must fetch with KnownHostsCommand \(OpenSSH 8\.5 or newer\); \S+ssh \(OpenSSH_8\.4\S*[^)]*\) does not know it: "command-line: line 0: Bad configuration option: knownhostscommand"/);
      expect(r.stderr).toContain('update the OpenSSH client on this computer, or use transport = tcp or srun for those profiles');
      expect(fs.readFileSync(l.config, 'utf8')).toBe(MINE);
      expect(fs.readdirSync(l.home)).toEqual([]);
      return;
    }
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.readFileSync(l.config, 'utf8')).toMatch(/Host slurm-adopt\r?\n[\s\S]*KnownHostsCommand /);
    const landed = await ssh(l, ['slurm-adopt', 'echo "$(hostname) $SLURM_JOB_ID"; ps -o user= -p $(ps -o ppid= -p $PPID)']);
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(landed.stdout.trim()).toMatch(/^c[12] \d+\nroot$/);
  });
});
