// The wizard as a newcomer meets it: run in a real terminal (a pty), answered
// key by key, against the local cluster's login sshd with the real OpenSSH
// client at the end. bob logs in with a key of his own that ssh would not try
// by itself (~/.ssh/id_bob) and has no password; fay has only a password.
// OpenSSH reads ~/.ssh/config from the password database, not $HOME, so each
// laptop's config is a file of its own (--ssh-config), as in setup.test.ts.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { inTerminal } from '../setup/terminal.js';
import { BINARY, clusterEnv, freshLoginUser, homeOf, lockPassword, onNode, ROOT } from './harness.js';

const cluster = clusterEnv();
const tmp = tempDirs('slurmhop-setup-terminal-');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const passwords = new Map<string, string>();
const masters: string[] = [];

interface Laptop {
  dir: string;
  home: string;
  config: string;
}

function laptop(): Laptop {
  const dir = tmp();
  const home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  return { dir, home, config: path.join(dir, 'ssh_config') };
}

/** The laptop user's name is not the cluster's (bobby here, bob there), as is common. */
const env = (l: Laptop) => ({ HOME: l.home, USER: 'bobby', PATH: process.env.PATH!, LANG: 'C.UTF-8' });
const wizard = (l: Laptop, args: string[] = []) => inTerminal([TSX, path.join(ROOT, 'setup.ts'), '--ssh-config', l.config, ...args], { env: env(l), cwd: l.dir });
const batch = (l: Laptop, args: string[]) => execa(TSX, [path.join(ROOT, 'setup.ts'), '--yes', '--ssh-config', l.config, ...args], { env: env(l), extendEnv: false, cwd: l.dir, reject: false, stdin: 'ignore', timeout: 280_000 });

beforeAll(async () => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build"`);
  for (const user of ['bob', 'fay']) passwords.set(user, await freshLoginUser(user));
  await lockPassword('bob'); // bob logs in with his key only
});

afterAll(async () => {
  for (const config of masters) await execa('ssh', ['-F', config, '-O', 'exit', 'local'], { reject: false });
  for (const user of passwords.keys()) {
    await lockPassword(user);
    await onNode('login', 'root', ['scancel', '-u', user]);
  }
});

describe('bob: a key of his own that ssh does not try by itself', () => {
  const l = laptop();
  masters.push(l.config);
  const idBob = path.join(l.home, '.ssh', 'id_bob');
  fs.copyFileSync(path.join(cluster.keysDir, 'bob_ed25519'), idBob);
  fs.chmodSync(idBob, 0o600);

  it('the wizard asks which key, with the keys it found; then ssh slurm-cpu lands', async () => {
    const t = wizard(l);
    let at = await t.waitFor('Login node of your cluster (host name): ');
    await t.type(`${cluster.loginHost}\r`);
    at = await t.waitFor('Its ssh port: 22', at);
    await t.type(`\x15${cluster.loginPort}\r`);
    // The laptop's own user name is typed in; Ctrl-U erases it, as in any terminal.
    at = await t.waitFor('Your user name on the cluster: bobby', at);
    await t.type('\x15bob\r');
    at = await t.waitFor('A short name for this cluster (the login alias: "ssh NAME"): ', at);
    await t.type('local\r');
    at = await t.waitFor('Prefix of the host names (PREFIX-cpu, PREFIX-gpu): slurm', at);
    await t.type('\r');
    at = await t.waitFor(/Is SHA256:\S+ the fingerprint your cluster publishes for \S+\? Trust it\? \(y\/N\): /, at);
    await t.type('y\r');
    const menu = await t.waitFor('Your choice (1-', at);
    expect(t.screen().slice(at, menu)).toMatch(/none of the keys ssh uses by itself is on this computer \(~\/\.ssh\/slurmhop_local_ed25519, ~\/\.ssh\/id_ed25519, ~\/\.ssh\/id_ecdsa, ~\/\.ssh\/id_rsa\)/);
    expect(t.screen().slice(at, menu)).toMatch(/ 1\) the key ~\/\.ssh\/id_bob \(ssh-ed25519/);
    await t.type('\r');
    at = await t.waitFor('logged in as bob (the key ~/.ssh/id_bob)', at);
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(0);
    expect(t.screen()).toMatch(/landed on c[12], inside Slurm job \d+/);
    const config = fs.readFileSync(l.config, 'utf8');
    expect(config).toContain(`IdentityFile ${idBob}\n`);
    // Files only: ssh's connection-sharing socket lives there too.
    const files = fs.readdirSync(path.join(l.home, '.ssh')).filter((f) => fs.statSync(path.join(l.home, '.ssh', f)).isFile());
    expect(files.sort()).toEqual(['id_bob', 'slurmhop_known_hosts']);
    const landed = await execa('ssh', ['-F', l.config, 'slurm-cpu', 'hostname'], { reject: false, stdin: 'ignore', timeout: 120_000 });
    expect(landed.exitCode, landed.stderr).toBe(0);
  });

  it('a rerun starts from what was configured: every answer is typed in, the key is not asked', async () => {
    const t = wizard(l, ['--no-check']);
    for (const shown of [`Login node of your cluster (host name): ${cluster.loginHost}`, `Its ssh port: ${cluster.loginPort}`, 'Your user name on the cluster: bob', 'A short name for this cluster (the login alias: "ssh NAME"): local', 'Prefix of the host names (PREFIX-cpu, PREFIX-gpu): slurm']) {
      await t.waitFor(shown);
      await t.type('\r');
    }
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(0);
    expect(t.screen()).toContain('logged in as bob (the key ~/.ssh/id_bob)');
    expect(t.screen()).not.toContain('How do you log in');
    expect(t.screen()).toContain(`unchanged: ${l.config}`);
  });

  it('without a terminal, a rerun for the host finds the key in the block (no --identity)', async () => {
    const r = await batch(l, ['--dry-run', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', 'bob']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('dry run: nothing was written');
  });

  it('uninstall in a terminal: the cleanup on the cluster and the cancel of the job are offered (yes by default); his own key stays', async () => {
    const t = inTerminal([TSX, path.join(ROOT, 'setup.ts'), '--uninstall', '--cluster', 'local', '--ssh-config', l.config], { env: env(l), cwd: l.dir });
    for (const shown of [`Login node of your cluster (host name): ${cluster.loginHost}`, `Its ssh port: ${cluster.loginPort}`, 'Your user name on the cluster: bob']) {
      await t.waitFor(shown);
      await t.type('\r');
    }
    let at = await t.waitFor(/Also clean up on \S+: cancel your slurmhop jobs, remove ~\/\.local\/bin\/remote and ~\/\.local\/lib\/slurmhop, your config\.ini \(a backup stays\) and slurmhop's state directory\? \(Y\/n\): /);
    await t.type('\r');
    at = await t.waitFor(/Cancel your \d+ slurmhop jobs? first: \d+ \(cpu, running\)\? \(Y\/n\): /, at);
    await t.type('\r');
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(0);
    expect(t.screen()).toMatch(/ok: cancelled job \d+ \(cpu, running\)/);
    expect(t.screen()).toMatch(/Left:\n {2}- on the cluster, \S+config\.ini\.slurmhop-backup-\S+: your profiles, should you set up again/);
    expect(fs.existsSync(`${homeOf('bob')}/.local/bin/remote`)).toBe(false);
    expect(fs.existsSync(`${homeOf('bob')}/.local/lib/slurmhop`)).toBe(false);
    expect(fs.readFileSync(`${homeOf('bob')}/.ssh/authorized_keys`, 'utf8')).toContain(fs.readFileSync(path.join(cluster.keysDir, 'bob_ed25519.pub'), 'utf8').trim().split(' ')[1]);
    expect(fs.existsSync(idBob)).toBe(true);
    expect(fs.readFileSync(l.config, 'utf8')).not.toContain('slurmhop local');
  });
});

describe('a refused login says what was tried, and tells a wrong user from a wrong key where the server allows it', () => {
  const l = laptop();
  const wrongKey = path.join(cluster.keysDir, 'ada_ed25519');

  it('an unknown user name: the server answers as for any name, so either may be wrong (exit 4)', async () => {
    const r = await batch(l, ['--host', cluster.loginHost, '--port', cluster.loginPort, '--user', 'bbo', '--cluster', 'local', '--accept-new-host-key', '--identity', wrongKey]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain(`cannot log in to ${cluster.loginHost} as bbo: it refused the key ${wrongKey} (it accepts: publickey,`);
    expect(r.stderr).toContain('the login node answers the same for every name (OpenSSH keeps user names secret), so either "bbo" is not your user name there or none of these keys is registered for it');
    expect(r.stderr).not.toContain('tried none');
    expect(fs.readdirSync(path.join(l.home, '.ssh'))).toEqual([]);
  });

  it('gus, whom the login node treats by a rule of his own: the user exists, the key is what is wrong', async () => {
    const r = await batch(l, ['--host', cluster.loginHost, '--port', cluster.loginPort, '--user', 'gus', '--cluster', 'local', '--accept-new-host-key', '--identity', wrongKey]);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('the login node knows the user "gus" (it answers an unknown name differently): the key is what it does not accept');
  });
});

describe('interrupted', () => {
  it('Ctrl-C at a question: exit 10, nothing written', async () => {
    const l = laptop();
    const t = wizard(l);
    await t.waitFor('Login node of your cluster (host name): ');
    await t.type('\x03');
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(10);
    expect(t.screen()).toContain('interrupted: nothing more was done');
    expect(fs.readdirSync(l.dir)).toEqual(['home']);
  });

  it('fay (a password, typed unseen): Ctrl-C during the upload exits 10 and leaves no temporary file on the cluster', async () => {
    const l = laptop();
    const t = wizard(l, ['--host', cluster.loginHost, '--port', cluster.loginPort, '--user', 'fay', '--cluster', 'local', '--prefix', 'slurm', '--accept-new-host-key']);
    // The login node's own question (PAM's, through keyboard-interactive).
    let at = await t.waitFor(/Password( for fay)?:/);
    await t.type(`${passwords.get('fay')!}\r`);
    at = await t.waitFor(/uploading remote-linux-x64: \d+%/, at);
    await t.type('\x03');
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(10);
    expect(t.screen()).not.toContain(passwords.get('fay')!);
    expect(t.screen()).toContain('temporary files were removed');
    expect(fs.readdirSync(`${homeOf('fay')}/.local/bin`).filter((f) => f.includes('slurmhop-upload'))).toEqual([]);
    expect(fs.existsSync(l.config)).toBe(false);
  });
});
