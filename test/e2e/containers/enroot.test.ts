// container_runtime = enroot with the REAL enroot on the nodes (NVIDIA's
// 4.1.2, which `scripts/cluster up` builds for each suite from ../shared;
// the cluster's env file says which enroot the nodes have, or why none, and
// without one these tests are skipped with that reason in their name). The
// images are made here without any registry: a .sqsh of a skeleton root
// filesystem (mksquashfs of the suite itself), and the same skeleton imported
// from the user's Podman storage (`enroot import podman://`); the node's /usr
// and /etc are mounted in for the sshd.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chownTree, clusterEnv, homeOf, homeSettled, installRemote, jobsOf, Laptop, onNode, resetUser, SHAPE, stateOf, waitFor, writeConfig } from '../harness.js';
import { makeSkeleton, makeSquashfs, podmanImport, resetPodmanStorage } from './images.js';
import { walltimeWarningReachesContainer } from './walltime.js';
import { nodeRunPaths, type NodeRunPaths } from './run-enroot.js';

const USER = 'cyd';
const NODES = ['c1', 'c2'];
const ENROOT = /^SLURMHOP_ENROOT="?([^"\n]*)"?$/m.exec(fs.existsSync(`${clusterEnv().dir}/env`) ? fs.readFileSync(`${clusterEnv().dir}/env`, 'utf8') : '')?.[1] || 'no enroot: the cluster\'s env file does not say';
const REAL = ENROOT.startsWith('enroot ');
/** In every test's name: which enroot ran, or why none could. */
const WHICH = REAL ? `the real ${ENROOT}` : 'skipped: the nodes have no enroot';
const SQSH = path.join(homeOf(USER), 'images', 'tools.sqsh');
const PODMAN_IMAGE = 'localhost/slurmhop-enroot:1';
const DATA = path.join(homeOf(USER), 'data');
const MOUNTS = 'container_mounts = /usr:/usr:ro, /etc:/etc:ro';
const NO_XDG = 'env_setup = unset XDG_RUNTIME_DIR';
const profiles = `[profile.sqsh]
partition = interactive
container = ~/images/tools.sqsh
${MOUNTS}, ${DATA}:/data:ro
${NO_XDG}

[profile.gpu]
partition = gpu
gres = gpu:1
container = ~/images/tools.sqsh
${MOUNTS}
${NO_XDG}

[profile.short]
partition = interactive
time = 1
walltime_warnings = 50s
container = ~/images/tools.sqsh
${MOUNTS}
${NO_XDG}

[profile.nosshd]
partition = interactive
container = ~/images/tools.sqsh
sshd = /usr/sbin/no-such-sshd
${MOUNTS}
${NO_XDG}

[profile.devnodes]
partition = interactive
container = ~/images/devices.sqsh
${MOUNTS}

[profile.gone]
partition = interactive
container = podman://localhost/slurmhop-missing:1
container_runtime = enroot
${MOUNTS}

[profile.nofile]
partition = interactive
container = ~/images/missing.sqsh

[profile.pod]
partition = interactive
container = podman://${PODMAN_IMAGE}
container_runtime = enroot
${MOUNTS}
# As sbatch passes it from a login node with systemd-logind: the directory does not exist on the nodes.
env_setup = export XDG_RUNTIME_DIR=/run/user/$(id -u)
`;
let laptop: Laptop;
let runPaths: NodeRunPaths;

const logOf = (jobId: string) => fs.readFileSync(`${stateOf(USER)}/logs/${jobId}.out`, 'utf8');
const containersDir = () => `${stateOf(USER)}/containers`;
const jobOf = async (profile: string) => (await jobsOf(USER)).find((j) => j.name === `slurmhop-${profile}`)!;
/** What `enroot list` prints: the containers in enroot's data directory (in the shared home). */
const enrootList = async () => fs.readdirSync(path.join(homeOf(USER), '.local/share/enroot')).sort();
/** The job's runtime directories for enroot, on any compute node (each has a /tmp of its own in the production shape; otherwise they share one). */
async function runtimeDirsOf(jobId: string): Promise<string[]> {
  const found = new Set<string>();
  for (const node of NODES) {
    const r = await onNode(node, 'root', ['sh', '-c', `ls -d /tmp/slurmhop-enroot-${jobId}-* 2>/dev/null || true`]);
    for (const dir of String(r.stdout).split('\n').filter(Boolean)) found.add(dir);
  }
  return [...found];
}

/**
 * Nothing of the user runs (one process table for the whole local cluster).
 * Rootless podman's pause process (one per user and machine, which podman
 * starts and keeps for all of that user's podman commands: `catatonit -P`,
 * with podman 3 podman itself without arguments) is podman's, not the job's.
 */
async function noProcesses(): Promise<void> {
  const processes = async () => String((await onNode('c1', 'root', ['ps', '-u', USER, '-o', 'pid=,args='])).stdout).split('\n').filter((l) => l.trim() && !/^\s*\d+ (catatonit -P|podman)$/.test(l));
  await expect.poll(processes, { timeout: 20_000, interval: 300 }).toEqual([]);
}

/** The jobs left no runtime directory on the nodes and no mark that they use a container. */
async function noTracesOf(jobIds: string[]): Promise<void> {
  for (const id of jobIds) expect(await runtimeDirsOf(id), `job ${id}'s runtime directory`).toEqual([]);
  const users = fs.readdirSync(containersDir()).filter((n) => n.endsWith('.users'));
  for (const u of users) expect(fs.readdirSync(path.join(containersDir(), u)).filter((id) => jobIds.includes(id)), u).toEqual([]);
}

async function nothingLeft(jobIds: string[]): Promise<void> {
  await noProcesses();
  await noTracesOf(jobIds);
}

describe(`container_runtime = enroot (${WHICH})`, () => {
  beforeEach((ctx) => ctx.skip(!REAL, ENROOT));
  beforeAll(async () => {
    if (!REAL) return;
    installRemote(USER);
    await resetUser(USER);
    // enroot's containers and slurmhop's records of them, from earlier runs.
    for (const dir of [path.join(homeOf(USER), '.local/share/enroot'), path.join(homeOf(USER), '.cache/enroot'), containersDir()]) fs.rmSync(dir, { recursive: true, force: true });
    resetPodmanStorage(USER);
    fs.rmSync(DATA, { recursive: true, force: true });
    fs.mkdirSync(DATA, { recursive: true });
    fs.writeFileSync(path.join(DATA, 'dataset.txt'), 'read-only data\n');
    chownTree(USER, DATA);
    await makeSquashfs(USER, makeSkeleton(USER, 'sqsh-root', 'from the sqsh'), SQSH);
    await podmanImport(USER, makeSkeleton(USER, 'podman-root', 'from podman'), PODMAN_IMAGE, '/bin/sh');
    // A device node in /dev, as images built by root have: mksquashfs's pseudo file makes one without root.
    await makeSquashfs(USER, makeSkeleton(USER, 'devices-root', 'with devices'), path.join(homeOf(USER), 'images', 'devices.sqsh'), ['-p', 'dev/urandom c 666 root root 1 9']);
    // No /run/enroot on the nodes to begin with (what an earlier root run of enroot left is put back at the end).
    runPaths = await nodeRunPaths(NODES);
    await runPaths.moveAside();
    writeConfig(USER, profiles); // and the home settled: what was written here is what the user set up long before
    laptop = new Laptop(USER, ['sqsh', 'gpu', 'short', 'nosshd', 'pod', 'devnodes', 'gone', 'nofile']);
    await laptop.pinHostKey();
  });
  afterAll(async () => {
    if (!REAL) return;
    laptop?.dispose();
    await resetUser(USER);
    await runPaths?.restore();
  });

  it('a .sqsh made with the suite\'s mksquashfs: created once, and the session lands in it --rw, as the user, with the home and --mount', async () => {
    fs.writeFileSync(path.join(homeOf(USER), 'from-laptop.txt'), 'written outside\n');
    homeSettled();
    const r = await laptop.ssh([
      'slurm-sqsh',
      'cat /slurmhop-image; hostname; id -un; cat ~/from-laptop.txt; echo inside > ~/from-container.txt; echo kept > /in-container.txt && echo rw; cat /data/dataset.txt; touch /data/x 2>/dev/null || echo data-ro; echo "job $SLURM_JOB_ID"',
    ]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const job = await jobOf('sqsh');
    expect(String(r.stdout).split('\n')).toEqual(['from the sqsh', job.node, USER, 'written outside', 'rw', 'read-only data', 'data-ro', `job ${job.id}`]);
    expect(fs.readFileSync(path.join(homeOf(USER), 'from-container.txt'), 'utf8')).toBe('inside\n');
    // Not on the node itself.
    expect((await onNode(job.node, USER, ['test', '-e', '/in-container.txt'])).exitCode).toBe(1);
    const log = logOf(job.id);
    expect(log).toMatch(new RegExp(`enroot creates container slurmhop-[0-9a-f]{12} from ${SQSH}`));
    expect(await enrootList()).toEqual([expect.stringMatching(/^slurmhop-[0-9a-f]{12}$/)]);
    // No XDG_RUNTIME_DIR and no /run/enroot: enroot got a directory of the job's own.
    expect(await runtimeDirsOf(job.id)).toHaveLength(1);
  });

  it('the job\'s environment and its GPU variables reach the session inside', async () => {
    const r = await laptop.ssh(['slurm-gpu', 'test -e /slurmhop-image && echo inside; echo "cuda=$CUDA_VISIBLE_DEVICES partition=$SLURM_JOB_PARTITION job=$SLURM_JOB_ID"; env | grep -c "^ENROOT_" || true']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const job = await jobOf('gpu');
    expect(String(r.stdout).split('\n')).toEqual(['inside', `cuda=0 partition=gpu job=${job.id}`, '0']);
  });

  it('passes exit codes through and gives a terminal', async () => {
    expect((await laptop.ssh(['slurm-sqsh', 'exit 7'])).exitCode).toBe(7);
    const tty = await laptop.ssh(['-tt', 'slurm-sqsh', 'tty; test -e /slurmhop-image && echo inside']);
    expect(tty.exitCode, String(tty.stderr)).toBe(0);
    expect(String(tty.stdout).replace(/\r/g, '').split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), 'inside']);
  });

  it('a job that fails on the same container (a wrong sshd) removes nothing: the running job goes on in it', async () => {
    const running = await jobOf('sqsh');
    const bad = await laptop.ssh(['slurm-nosshd', 'true']);
    expect(bad.exitCode).toBe(255);
    expect(String(bad.stderr)).toContain('has no sshd at /usr/sbin/no-such-sshd');
    const again = await laptop.ssh(['slurm-sqsh', 'cat /in-container.txt; echo "job $SLURM_JOB_ID"']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout).split('\n')).toEqual(['kept', `job ${running.id}`]);
    expect(await enrootList()).toHaveLength(1);
  });

  it('the walltime warning reaches the terminal inside the container', () => walltimeWarningReachesContainer(laptop, 'short'), 120_000);

  it('cancelling leaves nothing: no process of the containers, no runtime directory, no mark of the jobs', async () => {
    const ids = (await jobsOf(USER)).map((j) => j.id);
    expect(ids.length).toBeGreaterThan(0);
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the jobs to leave the queue');
    await nothingLeft(ids);
  });

  it('the next job reuses the named container: nothing made again, and what was written in it is there', async () => {
    const r = await laptop.ssh(['slurm-sqsh', 'cat /in-container.txt']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('kept');
    expect(logOf((await jobOf('sqsh')).id)).not.toContain('enroot creates');
  });

  it('an unclean end (kill -9 of the job\'s supervisor) leaves nothing either', async () => {
    const job = await jobOf('sqsh');
    const contact = JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${job.id}/contact`, 'utf8')) as { pid: number };
    expect(await runtimeDirsOf(job.id)).toHaveLength(1);
    process.kill(contact.pid, 'SIGKILL'); // one process table for the whole local cluster
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end');
    await noProcesses();
    // The job's guard removes the rest. Where Slurm kills the whole job at once (proctrack/cgroup,
    // the production shape), the guard goes with it: the user's next job on the node removes it.
    if (SHAPE !== 'production') await noTracesOf([job.id]);
    const next = await laptop.ssh(['slurm-sqsh', 'true']);
    expect(next.exitCode, String(next.stderr)).toBe(0);
    await noTracesOf([job.id]);
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end');
  });

  it('an image from the local Podman storage: enroot import podman://, once; the login node\'s XDG_RUNTIME_DIR is no obstacle', async () => {
    const r = await laptop.ssh(['slurm-pod', 'cat /slurmhop-image']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('from podman');
    const job = await jobOf('pod');
    expect(logOf(job.id)).toContain(`enroot imports podman://${PODMAN_IMAGE} (once: later jobs reuse it)`);
    expect(fs.readdirSync(containersDir()).filter((n) => n.endsWith('.sqsh'))).toHaveLength(1);
    // enroot extracts the image through a podman container of its own: none is left in the user's storage.
    expect(String((await onNode('c1', USER, ['podman', 'ps', '--all', '--format', '{{.Names}} {{.Image}}'])).stdout).trim()).toBe('');
    expect(await enrootList()).toHaveLength(2);
    expect((await laptop.remote(['cancel', 'pod'])).exitCode).toBe(0);
    const again = await laptop.ssh(['slurm-pod', 'cat /slurmhop-image']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(logOf((await jobOf('pod')).id)).not.toContain('enroot imports');
  });

  it('an image the Podman storage does not have fails at once in enroot\'s words; no job is left', async () => {
    const r = await laptop.ssh(['slurm-gone', 'true']);
    expect(r.exitCode).toBe(255);
    expect(String(r.stderr)).toContain('enroot import podman://localhost/slurmhop-missing:1 failed: ');
    await expect.poll(async () => (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-gone'), { timeout: 15_000 }).toEqual([]);
    expect(String((await onNode('c1', USER, ['podman', 'ps', '--all', '--format', '{{.Names}}'])).stdout).trim()).toBe('');
  });

  it("an image with device nodes: enroot's own line, the cause and the fix; the half-made container, recorded as this job's, is removed", async () => {
    const before = await enrootList();
    const r = await laptop.ssh(['slurm-devnodes', 'true']);
    expect(r.exitCode).toBe(255);
    const stderr = String(r.stderr);
    expect(stderr).toMatch(/enroot create \S+devices\.sqsh failed: create_inode: could not create character device \S+\/dev\/urandom, because you're not superuser! \(the image's \/dev holds device nodes, which only root can create\)/);
    expect(stderr).toContain('rebuild the image without /dev');
    expect(await enrootList()).toEqual(before);
    expect(fs.readdirSync(containersDir()).filter((n) => n.endsWith('.creating'))).toEqual([]);
    const jobId = /submitted job (\d+)/.exec(stderr)![1]!;
    await expect.poll(async () => (await jobsOf(USER)).filter((j) => j.id === jobId), { timeout: 15_000 }).toEqual([]);
    expect(await runtimeDirsOf(jobId)).toEqual([]);
  });

  it('an image file that does not exist is refused on the login node before anything is submitted', async () => {
    const message = `profile nofile: container = ~/images/missing.sqsh: ${homeOf(USER)}/images/missing.sqsh does not exist`;
    const viaSsh = await laptop.ssh(['slurm-nofile', 'true']);
    expect(viaSsh.exitCode).toBe(255); // ssh's own code when its ProxyCommand fails
    expect(String(viaSsh.stderr)).toContain(message);
    const proxy = await laptop.remote(['proxy', 'nofile']);
    expect(proxy.exitCode).toBe(3);
    expect(String(proxy.stderr)).toContain(message);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-nofile')).toEqual([]);
  });

  it('with a root-owned /run/enroot (0700) on the nodes, as a root run of enroot leaves it, sessions work', async () => {
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await runPaths.makeRootOwned();
    try {
      const r = await laptop.ssh(['slurm-sqsh', 'cat /slurmhop-image']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(String(r.stdout).trim()).toBe('from the sqsh');
      const job = await jobOf('sqsh');
      expect(await runtimeDirsOf(job.id)).toHaveLength(1);
      expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
      await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end');
      await nothingLeft([job.id]);
    } finally {
      await runPaths.removeRootOwned();
    }
  });
});

describe(`enroot containers that slurmhop has no record of making are the user's (${WHICH})`, () => {
  beforeEach((ctx) => ctx.skip(!REAL, ENROOT));
  beforeAll(async () => {
    if (!REAL) return;
    installRemote(USER);
    await resetUser(USER);
    laptop = new Laptop(USER, ['sqsh']);
    await laptop.pinHostKey();
  });
  afterAll(async () => {
    if (!REAL) return;
    laptop?.dispose();
    await resetUser(USER);
    fs.rmSync(`${stateOf(USER)}.aside`, { recursive: true, force: true });
  });

  let container = '';

  it('a file written inside the container survives the state directory being moved aside', async () => {
    const first = await laptop.ssh(['slurm-sqsh', 'echo "installed by hand" > /opt/tool.txt']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end');
    const before = await enrootList();
    fs.rmSync(`${stateOf(USER)}.aside`, { recursive: true, force: true });
    fs.renameSync(stateOf(USER), `${stateOf(USER)}.aside`);
    homeSettled();
    await laptop.pinHostKey(); // a new state directory has a new host key
    const r = await laptop.ssh(['slurm-sqsh', 'cat /opt/tool.txt']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('installed by hand');
    const log = logOf((await jobOf('sqsh')).id);
    container = /enroot container (slurmhop-[0-9a-f]{12}) is there but slurmhop has no record of making it/.exec(log)?.[1] ?? '';
    expect(before, log).toContain(container);
    expect(log).not.toContain('half made');
    expect(await enrootList()).toEqual(before);
  });

  it('a creation recorded as started and never completed (a job killed in enroot create) is made again', async () => {
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end');
    fs.rmSync(path.join(containersDir(), `${container}.complete`));
    fs.writeFileSync(path.join(containersDir(), `${container}.creating`), 'job 1 on c1\n');
    chownTree(USER, containersDir());
    homeSettled();
    const r = await laptop.ssh(['slurm-sqsh', 'cat /opt/tool.txt 2>/dev/null || echo fresh; cat /slurmhop-image']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['fresh', 'from the sqsh']);
    expect(logOf((await jobOf('sqsh')).id)).toContain(`enroot container ${container} was left half made by an earlier job: making it again`);
    expect(fs.existsSync(path.join(containersDir(), `${container}.creating`))).toBe(false);
    expect(fs.existsSync(path.join(containersDir(), `${container}.complete`))).toBe(true);
  });
});
