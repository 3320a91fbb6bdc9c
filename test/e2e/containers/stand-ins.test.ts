// enroot and Apptainer cannot be installed here: these tests run the whole
// chain with STAND-IN programs on the nodes' PATH (test/e2e/containers/stand-ins,
// bubblewrap as the container), and check what slurmhop asked of them.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, homeOf, installRemote, jobsOf, Laptop, ROOT, resetUser, writeConfig } from '../harness.js';
import { makeSkeleton } from './images.js';

const USER = 'cyd';
const STAND_INS = path.join(homeOf(USER), 'stand-ins');
const CALLS = path.join(STAND_INS, 'calls.log');
const REGISTRY_IMAGE = 'registry.example.org/team/tools:1';
const NODE_USR_ETC = 'container_mounts = /usr:/usr:ro, /etc:/etc:ro';
const ON_PATH = 'env_setup = export PATH="$HOME/stand-ins/bin:$PATH" STANDIN_IMPORT_SECONDS=3';
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  await resetUser(USER);
  fs.rmSync(STAND_INS, { recursive: true, force: true });
  fs.rmSync(path.join(homeOf(USER), '.local/share/enroot'), { recursive: true, force: true });
  fs.rmSync(path.join(homeOf(USER), '.local/state/slurmhop/containers'), { recursive: true, force: true });
  fs.mkdirSync(path.join(STAND_INS, 'bin'), { recursive: true });
  for (const tool of ['enroot', 'apptainer']) fs.copyFileSync(path.join(ROOT, 'test/e2e/containers/stand-ins', tool), path.join(STAND_INS, 'bin', tool));
  // The stand-in registry: one image, a skeleton with a marker.
  const skeleton = makeSkeleton(USER, 'registry-tools', 'from the registry');
  fs.cpSync(skeleton, path.join(STAND_INS, 'registry', REGISTRY_IMAGE.replace(/[/:#]/g, '_')), { recursive: true, verbatimSymlinks: true });
  // A ".sif" of the stand-in is a tar file.
  const sifRoot = makeSkeleton(USER, 'sif-tools', 'from the sif');
  const { execaSync } = await import('execa');
  execaSync('tar', ['-C', sifRoot, '-cf', path.join(homeOf(USER), 'images', 'tools.sif'), '.']);
  chownTree(USER, STAND_INS);
  chownTree(USER, path.join(homeOf(USER), 'images'));
  writeConfig(
    USER,
    `[profile.enr]
partition = interactive
container = docker://${REGISTRY_IMAGE}
container_runtime = enroot
${NODE_USR_ETC}
${ON_PATH}

[profile.app]
partition = interactive
container = ~/images/tools.sif
${NODE_USR_ETC}
${ON_PATH}

[profile.gone]
partition = interactive
container = docker://registry.example.org/team/missing:2
container_runtime = enroot
${NODE_USR_ETC}
${ON_PATH}

[profile.nofile]
partition = interactive
container = ~/images/missing.sqsh
`,
  );
  laptop = new Laptop(USER, ['enr', 'app', 'gone', 'nofile']);
  await laptop.pinHostKey();
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});

const calls = (tool: string, sub: string) => fs.readFileSync(CALLS, 'utf8').split('\n').filter((l) => l.startsWith(`${tool} ${sub} `) || l === `${tool} ${sub}`);

describe('stand-in enroot (bwrap; enroot cannot be installed here)', () => {
  it('imports the registry image once, creates its container, starts it --rw with the home directory', async () => {
    const r = await laptop.ssh(['slurm-enr', 'cat /slurmhop-image; echo "PATH=$PATH"; hostname; ls ~/stand-ins/calls.log']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [job] = await jobsOf(USER);
    expect(String(r.stdout).split('\n')).toEqual(['from the registry', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', job!.node, `${STAND_INS}/calls.log`]);
    // The import takes a while: the waiting user is told what the job is doing.
    expect(String(r.stderr)).toContain(`slurmhop: job ${job!.id}: enroot imports docker://registry.example.org#team/tools:1 (once: later jobs reuse it)`);
    expect(calls('enroot', 'import')).toEqual([expect.stringMatching(/^enroot import --output \S+\/containers\/slurmhop-[0-9a-f]{12}\.sqsh\.partial-\d+ docker:\/\/registry\.example\.org#team\/tools:1$/)]);
    expect(calls('enroot', 'create')).toHaveLength(1);
    const starts = calls('enroot', 'start');
    expect(starts).toHaveLength(2); // the probe, then the session's sshd
    expect(starts[1]).toContain(`enroot start --rw --mount ${homeOf(USER)}\\ ${homeOf(USER)}\\ none\\ x-create=dir\\,rbind --mount /usr\\ /usr\\ none\\ x-create=dir\\,rbind\\,ro`);
    expect(starts[1]).toMatch(/ slurmhop-[0-9a-f]{12} \/usr\/sbin\/sshd -D -e -f \S+\/jobs\/\d+\/sshd_config$/);
  });

  it('a later job reuses the container: no second import or create', async () => {
    expect((await laptop.remote(['cancel', 'enr'])).exitCode).toBe(0);
    const r = await laptop.ssh(['slurm-enr', 'cat /slurmhop-image']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('from the registry');
    expect(calls('enroot', 'import')).toHaveLength(1);
    expect(calls('enroot', 'create')).toHaveLength(1);
    expect(calls('enroot', 'start')).toHaveLength(4);
  });

  it('an image the registry does not have fails at once with enroot\'s own message; no job is left', async () => {
    const started = Date.now();
    const r = await laptop.ssh(['slurm-gone', 'true']);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain('enroot import docker://registry.example.org#team/missing:2 failed: [ERROR] URL https://registry.example.org/v2/ returned error code: 404');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-gone')).toEqual([]);
  });
});

describe('stand-in apptainer (bwrap; Apptainer cannot be installed here)', () => {
  it('auto picks apptainer for a .sif and runs exec with the binds', async () => {
    const r = await laptop.ssh(['slurm-app', 'cat /slurmhop-image; echo "in=$APPTAINER_CONTAINER"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['from the sif', `in=${homeOf(USER)}/images/tools.sif`]);
    const execs = calls('apptainer', 'exec');
    expect(execs).toHaveLength(2);
    expect(execs[1]).toBe(
      `apptainer exec --cleanenv --no-home --bind ${homeOf(USER)}:${homeOf(USER)} --bind /usr:/usr:ro --bind /etc:/etc:ro ${homeOf(USER)}/images/tools.sif /usr/sbin/sshd -D -e -f ${homeOf(USER)}/.local/state/slurmhop/jobs/${(await jobsOf(USER)).find((j) => j.name === 'slurmhop-app')!.id}/sshd_config`,
    );
  });
});

describe('checked on the login node', () => {
  it('an image file that does not exist is reported before anything is submitted', async () => {
    const message = `profile nofile: container = ~/images/missing.sqsh: ${homeOf(USER)}/images/missing.sqsh does not exist`;
    const viaSsh = await laptop.ssh(['slurm-nofile', 'true']);
    expect(viaSsh.exitCode).toBe(255); // ssh's own code when its ProxyCommand fails
    expect(String(viaSsh.stderr)).toContain(message);
    const proxy = await laptop.remote(['proxy', 'nofile']);
    expect(proxy.exitCode).toBe(3);
    expect(String(proxy.stderr)).toContain(message);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-nofile')).toEqual([]);
  });
});
