// `remote resources` against the real Slurm of the local cluster: idle nodes,
// the gpu partition's one GPU, and each profile's estimated start from
// `sbatch --test-only`; then another user takes the GPU (and queues behind
// it), and the gpu profile's job would wait while the cpu one would not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelAllJobs, type Laptop, jobsOf, onNode, prepareUser, waitFor } from './harness.js';

const USER = 'ivy';
const OTHER = 'bob';

interface Resources {
  partitions: Array<{ name: string; isDefault: boolean; nodes: { total: number; idle: number; usable: number }; cpus: { idle: number; total: number }; gres: Array<{ name: string; type: string | null; free: number; total: number }>; pending: number }>;
  profiles: Array<{ name: string; partition: string; start: string | null; nodes: string | null; startsNow: boolean; refused: string | null }>;
}

let laptop: Laptop;

beforeAll(async () => {
  await cancelAllJobs();
  laptop = await prepareUser(USER, ['cpu', 'gpu']);
});
afterAll(async () => {
  await onNode('login', 'root', ['scancel', '-u', OTHER]);
  laptop.dispose();
});

async function resources(): Promise<Resources> {
  const r = await laptop.remote(['resources', '--json']);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return JSON.parse(String(r.stdout)) as Resources;
}

describe('remote resources on the real cluster', () => {
  it('an idle cluster: every node idle, the GPU free, both profiles would start now; one screen without --json', async () => {
    const r = await resources();
    expect(r.partitions.map((p) => p.name).sort()).toEqual(['gpu', 'interactive']);
    const interactive = r.partitions.find((p) => p.name === 'interactive')!;
    expect(interactive).toMatchObject({ isDefault: true, nodes: { total: 2, idle: 2, usable: 2 }, cpus: { idle: 8, total: 8 }, pending: 0 });
    expect(r.partitions.find((p) => p.name === 'gpu')).toMatchObject({ nodes: { total: 1, idle: 1 }, gres: [{ name: 'gpu', type: null, free: 1, total: 1 }] });
    expect(r.profiles.map((p) => [p.name, p.startsNow, p.refused])).toEqual([
      ['cpu', true, null],
      ['gpu', true, null],
    ]);
    expect(r.profiles.find((p) => p.name === 'gpu')!.nodes).toBe('c2');
    expect(await jobsOf(USER)).toEqual([]); // --test-only queues nothing

    const text = await laptop.remote(['resources']);
    expect(text.exitCode).toBe(0);
    expect(String(text.stdout)).toMatch(/^gpu +1 of 1 +4 of 4 +gpu 1 of 1 +0 jobs$/m);
    expect(String(text.stdout)).toMatch(/^gpu +gpu +gpu:1 +now, on c2$/m);
  });

  it("another user's job holds the GPU and a second one waits: none free, the gpu profile would wait, the cpu one would not", async () => {
    const holder = await onNode('login', OTHER, ['sbatch', '--parsable', '-p', 'gpu', '--gres=gpu:1', '-t', '20', '-J', 'holder', '-o', '/dev/null', '--wrap', 'sleep 600']);
    expect(holder.exitCode, String(holder.stderr)).toBe(0);
    await waitFor(async () => (await jobsOf(OTHER)).some((j) => j.state === 'RUNNING'), 30_000, "the other user's GPU job to run");
    const queued = await onNode('login', OTHER, ['sbatch', '--parsable', '-p', 'gpu', '--gres=gpu:1', '-t', '20', '-J', 'queued', '-o', '/dev/null', '--wrap', 'sleep 600']);
    expect(queued.exitCode, String(queued.stderr)).toBe(0);
    await waitFor(async () => (await jobsOf(OTHER)).some((j) => j.state === 'PENDING'), 30_000, 'the second GPU job to wait');

    const r = await resources();
    const gpu = r.partitions.find((p) => p.name === 'gpu')!;
    expect(gpu.gres).toEqual([{ name: 'gpu', type: null, free: 0, total: 1 }]);
    expect(gpu.pending).toBe(1);
    expect(gpu.nodes.idle).toBe(0);
    expect(r.partitions.find((p) => p.name === 'interactive')!.nodes.idle).toBe(1);
    const [cpu, gpuProfile] = [r.profiles.find((p) => p.name === 'cpu')!, r.profiles.find((p) => p.name === 'gpu')!];
    expect(cpu.startsNow).toBe(true);
    expect(gpuProfile).toMatchObject({ startsNow: false, refused: null, nodes: 'c2' });
    // Behind the holder's 20 minutes (and the queued job's, by Slurm's estimate): later than now by more than a minute.
    expect(Date.parse(gpuProfile.start!) - Date.now()).toBeGreaterThan(60_000);

    const text = String((await laptop.remote(['resources'])).stdout);
    expect(text).toMatch(/^gpu +0 of 1 +3 of 4 +gpu 0 of 1 +1 job$/m);
    expect(text).toMatch(/^gpu +gpu +gpu:1 +in \d+ (min|h) \(\d\d:\d\d\), on c2$/m);
  });
});
