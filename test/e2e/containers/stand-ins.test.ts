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
const DEVICE_IMAGE = 'registry.example.org/team/devices:1';
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
  // An image whose /dev holds a device node (listed for the stand-in: a tar made without root cannot hold one).
  const devices = path.join(STAND_INS, 'registry', DEVICE_IMAGE.replace(/[/:#]/g, '_'));
  fs.cpSync(skeleton, devices, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(devices, 'dev', 'urandom'), '');
  fs.writeFileSync(path.join(devices, '.standin-devices'), 'dev/urandom c 1 9\n');
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

[profile.badsshd]
partition = interactive
container = docker://${REGISTRY_IMAGE}
container_runtime = enroot
sshd = /usr/sbin/no-such-sshd
${NODE_USR_ETC}
${ON_PATH}

[profile.devnodes]
partition = interactive
container = docker://${DEVICE_IMAGE}
container_runtime = enroot
${NODE_USR_ETC}
${ON_PATH}

[profile.nofile]
partition = interactive
container = ~/images/missing.sqsh
`,
  );
  laptop = new Laptop(USER, ['enr', 'app', 'gone', 'nofile', 'badsshd', 'devnodes']);
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
    // PATH: the node's /etc is mounted, so enroot's login shell takes Debian's /etc/profile PATH, then the
    // user's ~/.profile adds ~/.local/bin (enroot.facts.md F18).
    expect(String(r.stdout).split('\n')).toEqual([
      'from the registry',
      `PATH=${homeOf(USER)}/.local/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games`,
      job!.node,
      `${STAND_INS}/calls.log`,
    ]);
    // The import takes a while: the waiting user is told what the job is doing.
    expect(String(r.stderr)).toContain(`slurmhop: job ${job!.id}: enroot imports docker://registry.example.org#team/tools:1 (once: later jobs reuse it)`);
    expect(calls('enroot', 'import')).toEqual([expect.stringMatching(/^enroot import --output \S+\/containers\/slurmhop-[0-9a-f]{12}\.sqsh\.partial-\d+ docker:\/\/registry\.example\.org#team\/tools:1$/)]);
    expect(calls('enroot', 'create')).toHaveLength(1);
    const starts = calls('enroot', 'start');
    expect(starts).toHaveLength(2); // the probe, then the session's sshd
    // enroot's colon-separated form (calls.log is written with printf %q, which escapes the commas).
    expect(starts[1]).toContain(`enroot start --rw --mount ${homeOf(USER)}:${homeOf(USER)}:none:x-create=dir\\,rbind --mount /usr:/usr:none:x-create=dir\\,rbind\\,ro`);
    // No XDG_RUNTIME_DIR on the node and /run/enroot is root's: the job gave enroot a directory of its own, gone with the job.
    const output = fs.readFileSync(path.join(homeOf(USER), `.local/state/slurmhop/logs/${job!.id}.out`), 'utf8');
    expect(output).toMatch(/enroot cannot make its runtime directory here \(mkdir: cannot create directory '\/run\/enroot': Permission denied\): it uses \/tmp\/slurmhop-enroot-\d+-\w+, private to this job/);
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
    expect(String(r.stderr)).toContain(
      'enroot import docker://registry.example.org#team/missing:2 failed: [ERROR] URL https://registry.example.org/v2/team/missing/manifests/2 returned error code: 404 Not Found (the registry does not have that image or tag)',
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-gone')).toEqual([]);
  });
});

describe('stand-in enroot: failures of one job leave the others alone', () => {
  it('a job whose sshd path is wrong fails at once and removes nothing: the running job on the same container goes on', async () => {
    const first = await laptop.ssh(['slurm-enr', 'true']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const running = (await jobsOf(USER)).find((j) => j.name === 'slurmhop-enr')!;
    const bad = await laptop.ssh(['slurm-badsshd', 'true']);
    expect(bad.exitCode).toBe(255);
    expect(String(bad.stderr)).toContain('has no sshd at /usr/sbin/no-such-sshd');
    expect(calls('enroot', 'remove')).toEqual([]);
    const again = await laptop.ssh(['slurm-enr', 'cat /slurmhop-image']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout).trim()).toBe('from the registry');
    expect((await jobsOf(USER)).map((j) => j.id)).toContain(running.id);
  });

  it("an image with device nodes: enroot's own line, the cause and the fix; the whole output in the job's log", async () => {
    const r = await laptop.ssh(['slurm-devnodes', 'true']);
    expect(r.exitCode).toBe(255);
    const stderr = String(r.stderr);
    expect(stderr).toMatch(/enroot create \S+\.sqsh failed: create_inode: could not create character device \S+\/dev\/urandom, because you're not superuser! \(the image's \/dev holds device nodes, which only root can create\)/);
    expect(stderr).toContain('rebuild the image without /dev');
    expect(stderr).toMatch(/its whole output:[\s\S]*created \d+ hardlinks/);
    // The half-made container was this job's own: removed, so the next try starts clean.
    expect(calls('enroot', 'remove')).toEqual([expect.stringMatching(/^enroot remove --force slurmhop-[0-9a-f]{12}$/)]);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-devnodes')).toEqual([]);
    // The runtime directory the job gave enroot went with the job, failed as it did.
    const jobId = /submitted job (\d+)/.exec(stderr)![1];
    expect(fs.readdirSync('/tmp').filter((n) => n.startsWith(`slurmhop-enroot-${jobId}-`))).toEqual([]);
  });
});

describe('stand-in apptainer (bwrap; Apptainer cannot be installed here)', () => {
  it('auto picks apptainer for a .sif and runs exec with the binds', async () => {
    const r = await laptop.ssh(['slurm-app', 'cat /slurmhop-image; echo "in=$APPTAINER_CONTAINER"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['from the sif', `in=${homeOf(USER)}/images/tools.sif`]);
    const execs = calls('apptainer', 'exec');
    expect(execs).toHaveLength(2);
    const job = `${homeOf(USER)}/.local/state/slurmhop/jobs/${(await jobsOf(USER)).find((j) => j.name === 'slurmhop-app')!.id}`;
    // The node's /etc names tty (gid 5), which the user namespace does not map: sshd gets a group file without it.
    expect(execs[1]).toBe(
      `apptainer exec --cleanenv --no-home --bind ${homeOf(USER)}:${homeOf(USER)} --bind /usr:/usr:ro --bind /etc:/etc:ro --bind ${job}/container-group:/etc/group:ro ${homeOf(USER)}/images/tools.sif /usr/sbin/sshd -D -e -f ${job}/sshd_config`,
    );
    expect(fs.readFileSync(`${job}/container-group`, 'utf8')).not.toMatch(/^tty:/m);
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
