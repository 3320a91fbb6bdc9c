// container_runtime = apptainer with the REAL Apptainer, where the nodes have
// it (Debian sid's apptainer 1.4.5: `scripts/cluster up --suite sid`, the one
// suite that packages it); elsewhere these tests are skipped (no stand-in runs
// in their place; test/e2e/containers/notes/ keeps what one was checked
// against). The image is a SIF
// that the user builds on a node from a skeleton directory (no registry is
// reachable), with the node's /usr and /etc bound in for its sshd.
import { execaSync } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { homeOf, installRemote, jobsOf, Laptop, onNode, resetUser, ROOT, SUITE, writeConfig } from '../harness.js';
import { makeSkeleton } from './images.js';
import { walltimeWarningReachesContainer } from './walltime.js';

const USER = 'mia';
const APPTAINER = execaSync('bash', [`${ROOT}/scripts/cluster`, 'exec', 'c1', '--', 'apptainer', '--version'], { reject: false });
const REAL = APPTAINER.exitCode === 0;
const SIF = path.join(homeOf(USER), 'images', 'tools.sif');
let laptop: Laptop;

/** Which Apptainer ran, in the tests' names; or why none could, beside each skipped test. */
const WHICH = REAL ? `the real ${String(APPTAINER.stdout).trim()}` : 'skipped: the nodes have no apptainer';
const WHY_NOT = `the ${SUITE} nodes have no apptainer (Debian packages it in sid only)`;

describe(`container_runtime = apptainer (${WHICH})`, () => {
  beforeEach((ctx) => ctx.skip(!REAL, WHY_NOT));
  beforeAll(async () => {
    if (!REAL) return;
    installRemote(USER);
    await resetUser(USER);
    const root = makeSkeleton(USER, 'sif-root', 'from the real sif');
    fs.rmSync(SIF, { force: true });
    const built = await onNode('c1', USER, ['apptainer', 'build', SIF, root]);
    if (built.exitCode !== 0) throw new Error(`apptainer build failed: ${built.stderr}`);
    writeConfig(
      USER,
      `[profile.app]
partition = interactive
container = ~/images/tools.sif
container_mounts = /usr:/usr:ro, /etc:/etc:ro

[profile.appshort]
partition = interactive
time = 1
walltime_warnings = 50s
container = ~/images/tools.sif
container_runtime = apptainer
container_mounts = /usr:/usr:ro, /etc:/etc:ro
`,
    );
    laptop = new Laptop(USER, ['app', 'appshort']);
    await laptop.pinHostKey();
  });
  afterAll(async () => {
    if (!REAL) return;
    laptop?.dispose();
    await resetUser(USER);
  });

  it('auto picks apptainer for a .sif: lands inside it on a compute node, as the user, with the home directory and the job', async () => {
    fs.writeFileSync(path.join(homeOf(USER), 'from-laptop.txt'), 'written outside\n');
    const r = await laptop.ssh(['slurm-app', 'cat /slurmhop-image; test -n "$APPTAINER_CONTAINER" && echo in-apptainer; hostname; id -un; cat ~/from-laptop.txt; echo "job $SLURM_JOB_ID"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const job = (await jobsOf(USER)).find((j) => j.name === 'slurmhop-app');
    expect(String(r.stdout).split('\n')).toEqual(['from the real sif', 'in-apptainer', job!.node, USER, 'written outside', `job ${job!.id}`]);
    // Not on the node itself.
    expect((await onNode(job!.node, USER, ['test', '-e', '/slurmhop-image'])).exitCode).toBe(1);
  });

  it('passes exit codes through, gives a terminal, and a warm connect reuses the job', async () => {
    expect((await laptop.ssh(['slurm-app', 'exit 7'])).exitCode).toBe(7);
    const tty = await laptop.ssh(['-tt', 'slurm-app', 'tty; test -e /slurmhop-image && echo inside']);
    expect(tty.exitCode, String(tty.stderr)).toBe(0);
    expect(String(tty.stdout).replace(/\r/g, '').split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), 'inside']);
    expect((await jobsOf(USER)).filter((j) => j.name === 'slurmhop-app')).toHaveLength(1);
  });

  it('the walltime warning reaches the terminal inside the container', () => walltimeWarningReachesContainer(laptop, 'appshort'), 120_000);

  it('cancelling the jobs leaves no process of the containers behind', async () => {
    const job = (await jobsOf(USER)).find((j) => j.name === 'slurmhop-app');
    expect((await laptop.remote(['cancel', '--all'])).exitCode).toBe(0);
    await expect
      .poll(async () => String((await onNode(job!.node, 'root', ['ps', '-u', USER, '-o', 'comm='])).stdout).trim(), { timeout: 20_000, interval: 300 })
      .toBe('');
  });
});
