// Sessions that fit how researchers work: swap/gpuswap with the `slurm` alias
// following the current session, alloc, walltime warnings, remote ssh,
// multi-node profiles, GPU activity for idle reclaim.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, homeOf, installRemote, jobsOf, Laptop, PROFILES, resetUser, ROOT, stateOf, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';

const USER = 'ivy';
const CONFIG = `${PROFILES}
[profile.short]
partition = interactive
time = 1
walltime_warnings = 45s, 20s

[profile.multi]
partition = interactive
nodes = 2

[profile.busy]
partition = interactive
idle_timeout = 3
idle_gpu = true
env_setup = export PATH="$HOME/standin-bin:$PATH"
`;
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, CONFIG);
  await resetUser(USER);
  fs.rmSync(`${stateOf(USER)}/current`, { force: true });
  laptop = new Laptop(USER, ['cpu', 'gpu', 'short', 'multi', 'busy']);
  await laptop.pinHostKey();
});
afterAll(() => laptop.dispose());
afterEach(async () => {
  await resetUser(USER);
  fs.rmSync(`${stateOf(USER)}/current`, { force: true });
});

const statusOf = (jobId: string) => fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('swap', () => {
  itOnceOnBookworm('gpuswap moves an open cpu session: "ssh slurm" then lands on c2 with the GPU, the cpu job is gone', async () => {
    const first = await laptop.ssh(['slurm-cpu', 'true']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const [cpu] = await jobsOf(USER);
    const open = laptop.open(['slurm', 'echo open; sleep 120'], 'open');
    await open.opened();

    const swap = await laptop.remote(['gpuswap']);
    expect(swap.exitCode, String(swap.stderr)).toBe(0);
    expect(String(swap.stdout)).toMatch(/session moved to job \d+ \(gpu\) on c2 \(job \d+ ended\)/);

    const ended = await open.ssh; // the old session closes, saying why
    expect(String(ended.stderr)).toContain('the session moved to another job (remote swap)');
    await waitFor(async () => (await jobsOf(USER)).every((j) => j.id !== cpu!.id), 20_000, 'the cpu job to go');
    expect(statusOf(cpu!.id).at(-1)).toMatchObject({ event: 'ended', reason: 'swapped' });

    const now = await laptop.ssh(['slurm', 'hostname; echo "cuda=$CUDA_VISIBLE_DEVICES"']);
    expect(now.exitCode, String(now.stderr)).toBe(0);
    expect(String(now.stdout).split('\n')).toEqual(['c2', 'cuda=0']);
  });

  itOnceOnBookworm('--keep keeps the old job', async () => {
    expect((await laptop.ssh(['slurm-gpu', 'true'])).exitCode).toBe(0);
    const [gpu] = await jobsOf(USER);
    const swap = await laptop.remote(['swap', 'cpu', '--keep']);
    expect(swap.exitCode, String(swap.stderr)).toBe(0);
    expect(String(swap.stdout)).toContain(`(job ${gpu!.id} kept)`);
    const jobs = await jobsOf(USER);
    expect(jobs.map((j) => j.name).sort()).toEqual(['slurmhop-cpu', 'slurmhop-gpu']);
    const where = await laptop.ssh(['slurm', 'echo $SLURM_JOB_NAME']);
    expect(String(where.stdout).trim()).toBe('slurmhop-cpu');
  });
});

describe('swapping to where the session already is', () => {
  itOnceOnBookworm('gpuswap on the gpu session answers at once, submits nothing; --shell opens the shell in that job', async () => {
    expect((await laptop.ssh(['slurm-gpu', 'true'])).exitCode).toBe(0);
    const [gpu] = await jobsOf(USER);
    const started = Date.now();
    const r = await laptop.remote(['gpuswap']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe(`already on gpu (job ${gpu!.id} on c2)`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([gpu!.id]);

    const shell = await laptop.ssh(['-tt', 'login', '.local/bin/remote', 'gpuswap', '--shell'], { stdin: 'pipe', input: 'echo "inside=$SLURM_JOB_ID"; exit\n' });
    expect(String(shell.stdout)).toContain(`already on gpu (job ${gpu!.id} on c2)`);
    expect(String(shell.stdout)).toContain(`inside=${gpu!.id}`);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([gpu!.id]);
  });

  itOnceOnBookworm('--fresh asks for a new job, whose progress says that the session\'s own job holds the GPU; "remote cancel" frees it and the swap completes', async () => {
    expect((await laptop.ssh(['slurm-gpu', 'true'])).exitCode).toBe(0);
    const [old] = await jobsOf(USER);
    const swap = laptop.remote(['gpuswap', '--fresh']);
    let err = '';
    swap.stderr!.on('data', (d) => (err += d));
    const hint = `your job ${old!.id} (gpu, on c2) may hold what it waits for; "remote cancel ${old!.id}" frees it`;
    await waitFor(() => err.includes(hint), 60_000, 'the progress line naming the job that holds the GPU');
    expect(err).toMatch(new RegExp(`^slurmhop: job \\d+ PENDING \\(Resources\\)(, est\\. start \\S+)?, waited \\d+s: ${hint.replace(/[()".]/g, '\\$&')}$`, 'm'));
    expect((await jobsOf(USER)).map((j) => j.state).sort()).toEqual(['PENDING', 'RUNNING']);

    expect((await laptop.remote(['cancel', old!.id])).exitCode).toBe(0);
    const r = await swap;
    expect(r.exitCode, err).toBe(0);
    expect(String(r.stdout)).toMatch(/^session moved to job \d+ \(gpu\) on c2[ ;]/);
    const jobs = await jobsOf(USER);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).not.toBe(old!.id);
  });
});

describe('alloc', () => {
  it('allocates now; the connect after it submits nothing and waits for nothing', async () => {
    const alloc = await laptop.remote(['alloc', 'cpu']);
    expect(alloc.exitCode, String(alloc.stderr)).toBe(0);
    expect(String(alloc.stdout)).toMatch(/job \d+ \(cpu\) is ready on c[12]/);
    const r = await laptop.ssh(['slurm-cpu', 'echo $SLURM_JOB_ID']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const jobs = await jobsOf(USER);
    expect(jobs).toHaveLength(1);
    expect(String(r.stdout).trim()).toBe(jobs[0]!.id);
  });

  it('--no-wait returns at once with the job queued', async () => {
    const r = await laptop.remote(['alloc', 'gpu', '--no-wait']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toMatch(/job \d+ \(gpu\) submitted/);
    expect((await jobsOf(USER)).map((j) => j.name)).toEqual(['slurmhop-gpu']);
  });
});

describe('walltime warnings', () => {
  it('both warnings appear in an ssh -tt session before the time limit ends it', async () => {
    const r = await laptop.ssh(['-tt', 'slurm-short', 'sleep 150']);
    const out = String(r.stdout);
    const warnings = out.match(/slurmhop: job \d+ \(short\) reaches its time limit at \d\d:\d\d, in \d+ minutes?/g) ?? [];
    expect(warnings, out).toHaveLength(2);
    expect(out).toContain('remote alloc short');
    expect(String(r.stderr)).toContain('the job reached its time limit');
  }, 200_000);
});

describe('remote ssh', () => {
  itOnceOnBookworm('runs inside the job on its node, from the login node, without a key', async () => {
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    // One string: the login node's shell parses the remote command line again.
    const r = await laptop.remote(['ssh', 'cpu', '--', `bash -c 'echo "$SLURM_JOB_ID $(hostname)"'`]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe(`${job!.id} ${job!.node}`);
    const byId = await laptop.remote(['ssh', job!.id, '--', 'hostname']);
    expect(String(byId.stdout).trim()).toBe(job!.node);
  });

  itOnceOnBookworm('an interactive shell with ssh -tt', async () => {
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    const r = await laptop.ssh(['-tt', 'login', '.local/bin/remote', 'ssh'], { stdin: 'pipe', input: 'echo "inside=$SLURM_JOB_ID"; exit\n' });
    expect(String(r.stdout)).toContain(`inside=${job!.id}`);
  });
});

describe('a multi-node profile', () => {
  it('lands on the first node; srun -N2 from the session runs on both', async () => {
    const r = await laptop.ssh(['slurm-multi', 'hostname; srun -N2 hostname | sort | tr "\\n" " "']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [first, both] = String(r.stdout).split('\n');
    expect(['c1', 'c2']).toContain(first);
    expect(both!.trim()).toBe('c1 c2');
  });
});

describe('idle reclaim counting GPU activity (stand-in nvidia-smi)', () => {
  itOnceOnBookworm('a busy GPU keeps a job with no connection; an idle one lets it end', async () => {
    const bin = `${homeOf(USER)}/standin-bin`;
    fs.mkdirSync(bin, { recursive: true });
    // The stand-in nvidia-smi (no GPU here): one GPU whose utilization is the file beside it.
    fs.copyFileSync(`${ROOT}/test/e2e/stand-ins/nvidia-smi`, `${bin}/nvidia-smi`);
    fs.chmodSync(`${bin}/nvidia-smi`, 0o755);
    fs.writeFileSync(`${bin}/utilization`, '87\n');
    chownTree(USER, bin);
    expect((await laptop.ssh(['slurm-busy', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    await new Promise((r) => setTimeout(r, 8_000)); // well past idle_timeout = 3
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([job!.id]);
    fs.writeFileSync(`${bin}/utilization`, '0\n');
    await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the idle job to end');
    expect(statusOf(job!.id).at(-1)).toMatchObject({ event: 'ended', reason: 'idle' });
  });
});
