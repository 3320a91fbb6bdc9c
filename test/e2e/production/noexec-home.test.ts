// A home mounted noexec (production shape: the test user pia's home, on every
// node), as sites mount whole home file systems. Setup finds a place that
// runs executables (the shared scratch, $SCRATCH=/srv/pia from pam_env on the
// login nodes), installs remote there, and the ProxyCommand and the job
// follow it: `ssh slurm-cpu` lands. Where no place works, it refuses, naming
// what it tried. The plain shape has no noexec home: skipped there.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../../helpers/tmp.js';
import { BINARY, clusterEnv, FRONT, freshLoginUser, homeOf, lockPassword, onNode, ROOT, SHAPE } from '../harness.js';

const USER = 'pia';
const production = SHAPE === 'production';
const tmp = tempDirs('slurmhop-noexec-e2e-');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
let password = '';
let sshConfig = '';
let laptopHome = '';

/** /srv/USER on every node: the shared scratch, seen from the laptop's side (scripts/cluster.d/shape.sh ensure_scratch). */
const scratchOnHost = () => path.join(clusterEnv().dir, 'scratch', USER);

function setup(extra: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, HOME: laptopHome, SSH_AUTH_SOCK: undefined, XDG_CONFIG_HOME: undefined };
  const cluster = clusterEnv();
  return execa(TSX, [path.join(ROOT, 'setup.ts'), '--yes', '--host', cluster.loginHost, '--port', cluster.loginPort, '--user', USER, '--cluster', 'local', '--ssh-config', sshConfig, '--password-stdin', ...extra], {
    reject: false,
    input: `${password}\n`,
    env,
    extendEnv: false,
    timeout: 280_000,
  });
}

/** The user's scratch directory, as the site makes it: theirs, private. */
function makeScratch(): void {
  const dir = scratchOnHost();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  const { uid, gid } = fs.statSync(homeOf(USER));
  fs.chownSync(dir, uid, gid);
}

describe.skipIf(!production)("a home mounted noexec (production shape: pia's home on every node)", () => {
  beforeAll(async () => {
    if (!fs.existsSync(BINARY) || !fs.existsSync(FRONT)) throw new Error('run "npm run build" first');
    password = await freshLoginUser(USER);
    const dir = tmp();
    laptopHome = path.join(dir, 'home');
    fs.mkdirSync(laptopHome);
    sshConfig = path.join(dir, 'ssh_config');
  });

  afterAll(async () => {
    await execa('ssh', ['-F', sshConfig, '-O', 'exit', 'local'], { reject: false });
    await onNode('login', 'root', ['scancel', '-u', USER]);
    await lockPassword(USER);
    fs.rmSync(scratchOnHost(), { recursive: true, force: true });
  });

  it('the home really is noexec on the login node and on the nodes: a script there does not run', async () => {
    for (const node of ['login', 'c1']) {
      const r = await onNode(node, USER, ['sh', '-c', 'f=$HOME/.noexec-probe; printf "#!/bin/sh\\necho ran\\n" >"$f"; chmod 700 "$f"; "$f"; s=$?; rm -f "$f"; exit $s']);
      expect(r.exitCode, node).toBe(126);
    }
  });

  it('with no place that runs executables, setup refuses (exit 6), names what it tried, and installs nothing', async () => {
    fs.rmSync(scratchOnHost(), { recursive: true, force: true });
    const r = await setup(['--accept-new-host-key', '--no-check']);
    expect(r.exitCode, r.stderr).toBe(6);
    expect(r.stderr).toContain(`your home on the login node (${homeOf(USER)}) is mounted noexec`);
    expect(r.stderr).toContain('$SCRATCH (/srv/pia): no such directory');
    expect(r.stderr).toContain('--install-dir DIR');
    expect(fs.existsSync(`${homeOf(USER)}/.local/lib/slurmhop`)).toBe(false);
    expect(fs.existsSync(sshConfig)).toBe(false);
  });

  it('setup chooses $SCRATCH, says so and why, installs remote there; the ProxyCommand and the job follow it: ssh slurm-cpu lands', async () => {
    makeScratch();
    const r = await setup(['--accept-new-host-key']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`remote goes under /srv/pia/slurmhop: your home on the login node (${homeOf(USER)}) is mounted noexec; $SCRATCH (/srv/pia) is writable and runs executables`);
    expect(r.stdout).toContain('remote is installed under /srv/pia/slurmhop on the cluster');
    expect(r.stderr).toMatch(/landed on c[12], inside Slurm job \d+/);
    const root = path.join(scratchOnHost(), 'slurmhop');
    expect(fs.readFileSync(path.join(root, 'lib/slurmhop/remote')).equals(fs.readFileSync(BINARY))).toBe(true);
    expect(fs.readFileSync(path.join(root, 'bin/remote')).equals(fs.readFileSync(FRONT))).toBe(true);
    expect(fs.existsSync(`${homeOf(USER)}/.local/bin/remote`)).toBe(false);
    expect(fs.readFileSync(sshConfig, 'utf8')).toContain('ProxyCommand ssh -T -F');
    expect(fs.readFileSync(sshConfig, 'utf8')).toContain(' local /srv/pia/slurmhop/bin/remote proxy cpu\n');
    const landed = await execa('ssh', ['-F', sshConfig, 'slurm-cpu', 'hostname; echo "job=$SLURM_JOB_ID"'], { reject: false, stdin: 'ignore', timeout: 120_000 });
    expect(landed.exitCode, landed.stderr).toBe(0);
    expect(landed.stdout).toMatch(/^c[12]\njob=\d+$/);
    // The laptop's commands run remote where setup put it.
    const list = await execa(process.execPath, [path.join(ROOT, 'bin/slurmhop.cjs'), 'list', '--cluster', 'local'], { reject: false, env: { ...process.env, HOME: laptopHome, XDG_CONFIG_HOME: undefined }, extendEnv: false });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/cpu/);
  });

  it('uninstall removes remote from $SCRATCH too, and the directory setup made there', async () => {
    const r = await setup(['--uninstall']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(scratchOnHost(), 'slurmhop'))).toBe(false);
    expect(fs.existsSync(scratchOnHost())).toBe(true);
  });
});
