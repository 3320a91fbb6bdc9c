// renew's sbatch on the node, against a fake scheduler: the successor waits on
// this job (afterany), is recorded as a claimed session job of the chain, and
// gets this job's environment without what Slurm set for this job alone; under
// the profile's lock, a job of the profile already there means no successor;
// refusals come back in words, a refused dependency becomes a begin time, and
// an sbatch that got no answer is looked for before anything is tried again.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { submitSuccessor, successorEnvironment, type SubmitDeps } from '../../src/job/renew-submit.js';
import type { RunResult } from '../../src/slurm/index.js';
import { acquireLock, appendStatus, readStatus } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-renew-submit-');
const profile = parseConfig('[profile.gpu]\npartition = gpu\ngres = gpu:1\ntime = 2:00:00\nrenew = 10m\n', 'c.ini').get('gpu')!;
const CHAIN = { renews: '41', chainStart: '2026-11-21T06:00:00.000Z', link: 2, chainHeld: 7200 };
const line = (id: string, state = 'PENDING', name = 'slurmhop-gpu') => `${id}|${name}|${state}|(null)|N/A|0:00|2:00:00|2:00:00|gpu|N/A|None`;
const squeue = (...lines: string[]): RunResult => ({ exitCode: 0, stdout: lines.join('\n'), stderr: '' });
const TIMED_OUT: RunResult = { exitCode: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' };

function fake(answers: { sbatch: RunResult[]; squeue?: RunResult[] }) {
  const home = tmp();
  let clock = 1_000_000;
  const sbatchCalls: Array<{ args: string[]; script: string; env: Record<string, string> }> = [];
  const runCalls: string[][] = [];
  const next = (queue: RunResult[]) => (queue.length > 1 ? queue.shift()! : queue[0]!);
  const deps: SubmitDeps = {
    run: async (command, args) => {
      runCalls.push([command, ...args]);
      return command === 'squeue' ? next(answers.squeue ?? [squeue(line('41', 'RUNNING'))]) : { exitCode: 0, stdout: '', stderr: '' };
    },
    sbatch: async (args, script, env) => {
      sbatchCalls.push({ args, script, env });
      return next(answers.sbatch);
    },
    stateDir: path.join(home, 'state'),
    user: 'ada',
    home,
    env: { PATH: '/usr/bin', HOME: home, SLURM_JOB_ID: '41', SLURM_CONF: '/etc/slurm/slurm.conf', CUDA_VISIBLE_DEVICES: '0', SLURMD_NODENAME: 'c2', MY_VAR: 'kept' },
    remote: ['/home/ada/.local/bin/remote'],
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  };
  return { deps, sbatchCalls, runCalls };
}

const ok = (id: string): RunResult => ({ exitCode: 0, stdout: id, stderr: '' });
const END = 1_000_000 + 600_000;

describe('renew: the successor\'s sbatch', () => {
  it('waits on this job, is the profile\'s job, is recorded with its chain; no connect\'s submission mark is written', async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [ok('42')] });
    expect(await submitSuccessor(deps, profile, '41', END, CHAIN)).toEqual({ kind: 'submitted', successor: '42', dependency: 'dependency=afterany:41' });
    const [call] = sbatchCalls;
    expect(call!.args[0]).toBe('--parsable');
    expect(call!.args).toContain('--job-name=slurmhop-gpu');
    expect(call!.args).toContain('--gres=gpu:1');
    expect(call!.args.at(-1)).toBe('--dependency=afterany:41');
    expect(call!.script).toContain("exec /home/ada/.local/bin/remote job gpu");
    expect(readStatus(deps.stateDir, '42')[0]).toMatchObject({ event: 'submitted', jobId: '42', profile: 'gpu', ...CHAIN });
    expect(fs.existsSync(path.join(deps.stateDir, 'locks', 'gpu.submitted'))).toBe(false);
  });

  it("gets this job's environment, without what Slurm set for this job alone", async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [ok('42')] });
    await submitSuccessor(deps, profile, '41', END, CHAIN);
    expect(sbatchCalls[0]!.env).toEqual({ PATH: '/usr/bin', HOME: deps.home, SLURM_CONF: '/etc/slurm/slurm.conf', MY_VAR: 'kept' });
    expect(successorEnvironment({ SLURM_TIME_FORMAT: 'relative', SLURM_MEM_PER_NODE: '4000', ENVIRONMENT: 'BATCH' })).toEqual({ SLURM_TIME_FORMAT: 'relative' });
  });

  it('another live job of the profile (remote alloc before the limit): none is submitted', async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [ok('42')], squeue: [squeue(line('41', 'RUNNING'), line('40', 'RUNNING', 'slurmhop-cpu'), line('43'))] });
    expect(await submitSuccessor(deps, profile, '41', END, CHAIN)).toEqual({ kind: 'queued', jobId: '43', state: 'PENDING' });
    expect(sbatchCalls).toHaveLength(0);
  });

  it('a job of the profile that is on its way out (its end recorded) does not count', async () => {
    const { deps } = fake({ sbatch: [ok('42')], squeue: [squeue(line('39', 'RUNNING'), line('41', 'RUNNING'))] });
    fs.mkdirSync(path.join(deps.stateDir, 'jobs', '39'), { recursive: true });
    appendStatus(deps.stateDir, { event: 'ended', jobId: '39', profile: 'gpu', reason: 'idle' });
    expect((await submitSuccessor(deps, profile, '41', END, CHAIN)).kind).toBe('submitted');
  });

  it('a site that refuses dependencies: a begin time at this job\'s end instead', async () => {
    const refused: RunResult = { exitCode: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Job dependency problem' };
    const { deps, sbatchCalls } = fake({ sbatch: [refused, ok('42')] });
    expect(await submitSuccessor(deps, profile, '41', END, CHAIN)).toEqual({ kind: 'submitted', successor: '42', dependency: 'begin=now+600' });
    expect(sbatchCalls.map((c) => c.args.at(-1))).toEqual(['--dependency=afterany:41', '--begin=now+600']);
  });

  it('a refusal comes back in words, and nothing is retried', async () => {
    const refused: RunResult = { exitCode: 1, stdout: '', stderr: "sbatch: error: QOSMaxSubmitJobPerUserLimit\nsbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)" };
    const { deps, sbatchCalls } = fake({ sbatch: [refused] });
    const outcome = await submitSuccessor(deps, profile, '41', END, CHAIN);
    expect(outcome).toEqual({ kind: 'refused', why: expect.stringMatching(/^Slurm refused the successor: QOSMaxSubmitJobPerUserLimit; Batch job submission failed: .*\(your limit on queued jobs \(MaxSubmitJobs\)/) });
    expect(sbatchCalls).toHaveLength(1);
  });

  it('sbatch got no answer but the controller took the job: it is found and becomes the successor', async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [TIMED_OUT], squeue: [squeue(line('41', 'RUNNING')), squeue(line('41', 'RUNNING')), squeue(line('41', 'RUNNING'), line('44'))] });
    expect(await submitSuccessor(deps, profile, '41', END, CHAIN)).toMatchObject({ kind: 'submitted', successor: '44' });
    expect(sbatchCalls).toHaveLength(1);
    expect(readStatus(deps.stateDir, '44')[0]).toMatchObject({ event: 'submitted', renews: '41' });
  });

  it('sbatch got no answer and no job appeared: tried again later, not now', async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [TIMED_OUT] });
    expect(await submitSuccessor(deps, profile, '41', END, CHAIN)).toMatchObject({ kind: 'retry', why: expect.stringContaining('no job of the profile appeared since') });
    expect(sbatchCalls).toHaveLength(1);
  });

  it('a connect holding the profile\'s lock: the renewal waits, then finds the connect\'s job and submits nothing', async () => {
    const { deps, sbatchCalls } = fake({ sbatch: [ok('42')], squeue: [squeue(line('41', 'RUNNING'), line('45'))] });
    const release = await acquireLock(path.join(deps.stateDir, 'locks', 'gpu.lock'));
    let done = false;
    const renewing = submitSuccessor({ ...deps, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) }, profile, '41', END, CHAIN).finally(() => (done = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    release();
    expect(await renewing).toEqual({ kind: 'queued', jobId: '45', state: 'PENDING' });
    expect(sbatchCalls).toHaveLength(0);
  });

  it('a container image the nodes cannot see: refused before any sbatch', async () => {
    const withImage = parseConfig('[profile.img]\ncontainer = /nowhere/image.sqsh\ncontainer_runtime = enroot\n', 'c.ini').get('img')!;
    const { deps, sbatchCalls } = fake({ sbatch: [ok('42')] });
    expect(await submitSuccessor(deps, withImage, '41', END, CHAIN)).toMatchObject({ kind: 'refused', why: expect.stringContaining('container = /nowhere/image.sqsh') });
    expect(sbatchCalls).toHaveLength(0);
  });
});
