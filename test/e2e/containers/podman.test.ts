// container_runtime = podman, for real (rootless): `ssh slurm-ctr` lands inside
// the container on a compute node, with the home directory mounted.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeOf, installRemote, jobsOf, Laptop, onNode, resetUser, ROOT, stateOf, writeConfig } from '../harness.js';
import { itOnceOnBookworm } from '../once-on-bookworm.js';
import { makeSkeleton, podmanImport, resetPodmanStorage } from './images.js';
import { walltimeWarningReachesContainer } from './walltime.js';

const USER = 'cyd';
const IMAGE = 'localhost/slurmhop-skeleton:1';
const NODE_USR_ETC = 'container_mounts = /usr:/usr:ro, /etc:/etc:ro';
// Without the node's /etc (and so without /etc/slurm): only container_slurm brings Slurm's configuration.
const NODE_USR_ONLY = 'container_mounts = /usr:/usr:ro, /etc/passwd:/etc/passwd:ro, /etc/group:/etc/group:ro';
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  await resetUser(USER);
  resetPodmanStorage(USER);
  await podmanImport(USER, makeSkeleton(USER, 'skeleton', 'from the podman image'), IMAGE);
  writeConfig(
    USER,
    `[profile.ctr]
partition = interactive
time = 30:00
container = ${IMAGE}
container_runtime = podman
${NODE_USR_ETC}
# As sbatch passes it from a login node with systemd-logind: the directory does not exist on the nodes.
env_setup = export XDG_RUNTIME_DIR=/run/user/$(id -u)

[profile.slurmctr]
partition = interactive
container = ${IMAGE}
container_runtime = podman
${NODE_USR_ONLY}
container_slurm = true

[profile.noslurm]
partition = interactive
container = ${IMAGE}
container_runtime = podman
${NODE_USR_ONLY}

[profile.short]
partition = interactive
time = 1
walltime_warnings = 50s
container = ${IMAGE}
container_runtime = podman
${NODE_USR_ETC}

[profile.nosshd]
partition = interactive
container = ${IMAGE}
container_runtime = podman
container_mounts = /usr/bin:/usr/bin:ro, /usr/lib:/usr/lib:ro, /usr/lib64:/usr/lib64:ro, /etc:/etc:ro
`,
  );
  laptop = new Laptop(USER, ['ctr', 'slurmctr', 'noslurm', 'short', 'nosshd']);
  await laptop.pinHostKey();
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

// The nodes' podman: 3.x (Debian 11's 3.0.1) cannot run a rootless container as the user inside
// the job's cgroup; slurmhop says so with the cause. Every later one runs the tests below.
const PODMAN_VERSION = execaSync('bash', [`${ROOT}/scripts/cluster`, 'exec', 'c1', '--', 'podman', '--version'], { reject: false }).stdout;
const PODMAN_3 = /version 3\./.test(PODMAN_VERSION);

describe.runIf(PODMAN_3)(`container_runtime = podman on ${PODMAN_VERSION}`, () => {
  it('is refused at the job\'s start with podman\'s own error, the cause and the fix; no job is left', async () => {
    const r = await laptop.remote(['proxy', 'ctr'], { stdin: 'pipe' });
    const err = String(r.stderr);
    expect(r.exitCode, err).toBe(6);
    expect(err).toContain('cannot chown `/sys/fs/cgroup/cgroup.procs`: Operation not permitted');
    expect(err).toContain("this podman cannot run a rootless container as you (--userns=keep-id) inside the job's cgroup (--cgroups=disabled), which slurmhop needs");
    expect(err).toContain('podman 4.3 or newer, or use container_runtime = apptainer or enroot');
    await expect.poll(async () => (await jobsOf(USER)).length, { timeout: 15_000 }).toBe(0);
  });
});

describe.skipIf(PODMAN_3)('container_runtime = podman (rootless, real)', () => {
  it('lands inside the container on a compute node, with the home directory mounted', async () => {
    fs.writeFileSync(path.join(homeOf(USER), 'from-laptop.txt'), 'written outside\n');
    const r = await laptop.ssh(['slurm-ctr', 'cat /slurmhop-image; test -e /run/.containerenv && echo in-podman; hostname; echo "home $HOME"; cat ~/from-laptop.txt; echo "job $SLURM_JOB_ID"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [job] = await jobsOf(USER);
    expect(String(r.stdout).split('\n')).toEqual(['from the podman image', 'in-podman', job!.node, `home ${homeOf(USER)}`, 'written outside', `job ${job!.id}`]);
    // Not on the node itself: the node has no /slurmhop-image.
    expect((await onNode(job!.node, USER, ['test', '-e', '/slurmhop-image'])).exitCode).toBe(1);
  });

  itOnceOnBookworm('passes exit codes through, and scp works both ways', async () => {
    expect((await laptop.ssh(['slurm-ctr', 'exit 7'])).exitCode).toBe(7);
    const data = crypto.randomBytes(4 << 20);
    const local = path.join(laptop.dir, 'up.bin');
    fs.writeFileSync(local, data);
    const up = await execa('scp', ['-F', laptop.config, '-q', local, 'slurm-ctr:up.bin'], { reject: false });
    expect(up.exitCode, String(up.stderr)).toBe(0);
    expect(sha256(fs.readFileSync(path.join(homeOf(USER), 'up.bin')))).toBe(sha256(data));
    const back = path.join(laptop.dir, 'back.bin');
    const down = await execa('scp', ['-F', laptop.config, '-q', 'slurm-ctr:up.bin', back], { reject: false });
    expect(down.exitCode, String(down.stderr)).toBe(0);
    expect(sha256(fs.readFileSync(back))).toBe(sha256(data));
  });

  it('an interactive session gets a terminal', async () => {
    const r = await laptop.ssh(['-tt', 'slurm-ctr', 'tty; test -e /slurmhop-image && echo inside']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).replace(/\r/g, '').split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), 'inside']);
  });

  it('the walltime warning reaches the terminal inside the container', () => walltimeWarningReachesContainer(laptop, 'short'), 120_000);

  it('cancelling the job removes the container', async () => {
    // The ctr profile's job (the walltime test's own job may still run until its limit).
    const job = (await jobsOf(USER)).find((j) => j.name === 'slurmhop-ctr');
    const name = (await onNode(job!.node, USER, ['podman', 'ps', '--format', '{{.Names}}'])).stdout;
    expect(String(name)).toContain(`slurmhop-${job!.id}-`);
    expect((await laptop.remote(['cancel', 'ctr'])).exitCode).toBe(0);
    await waitForNoContainer(job!.node, job!.id);
  });

  it('container_slurm: the node\'s Slurm commands work inside the container', async () => {
    const r = await laptop.ssh(['slurm-slurmctr', 'command -v squeue; squeue -h -j $SLURM_JOB_ID -o %j; test -e /etc/slurm/slurm.conf || echo "no /etc/slurm"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['/opt/slurmhop/slurm/bin/squeue', 'slurmhop-slurmctr', 'no /etc/slurm']);
    // The same image without container_slurm: the commands are there (the node's /usr) but cannot reach Slurm.
    // (timeout: without slurm.conf, squeue looks for a configuration server in DNS first)
    const without = await laptop.ssh(['slurm-noslurm', 'timeout 5 squeue -h -j $SLURM_JOB_ID -o %j']);
    expect(without.exitCode).not.toBe(0);
  });

  it('an image without sshd fails at once, naming the image and what to add; no job is left', async () => {
    const started = Date.now();
    const r = await laptop.ssh(['slurm-nosshd', 'true']);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain(`container image ${IMAGE} has no sshd`);
    expect(String(r.stderr)).toContain('openssh-server');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-nosshd')).toEqual([]);
  });
});

async function waitForNoContainer(node: string, jobId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await onNode(node, USER, ['podman', 'ps', '--all', '--format', '{{.Names}}']);
    if (!String(r.stdout).includes(`slurmhop-${jobId}-`)) return;
    if (Date.now() > deadline) {
      const all = await onNode(node, USER, ['podman', 'ps', '--all']);
      const out = `${stateOf(USER)}/logs/${jobId}.out`;
      throw new Error(`container of job ${jobId} still there: ${r.stdout}\n${all.stdout}\n${fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : ''}`);
    }
    await new Promise((res) => setTimeout(res, 300));
  }
}

