// Which of one's own jobs a pending one may wait for, from what squeue shows,
// and the progress line that says so.
import { describe, expect, it } from 'vitest';
import { createLog, formatEvent, type LogEvent } from '../../src/log.js';
import type { SessionContext } from '../../src/session/context.js';
import { holdersOf, withHeldBy } from '../../src/session/held-by.js';
import { parseJobResources, type RunResult } from '../../src/slurm/index.js';

// squeue --format=%i|%j|%T|%P|%N|%b|%r, as Slurm 22.05 writes tres-per-node.
const QUEUE = [
  '2|slurmhop-gpu|RUNNING|gpu|c2|gres:gpu:1|None',
  '5|slurmhop-gpu|PENDING|gpu||gres:gpu:1|Resources',
  '6|slurmhop-cpu|RUNNING|interactive|c1|N/A|None',
  '7|train|RUNNING|gpu,gpu-long|c3|gres:gpu:a100:2|None',
  '8|prep|RUNNING|gpu|c4|N/A|None',
  '9|slurmhop-gpu|PENDING|gpu||gres:gpu:1|Priority',
].join('\n');
const jobs = parseJobResources(QUEUE);
const job = (id: string) => jobs.find((j) => j.id === id)!;

describe('own jobs in the way of a pending one', () => {
  it('waiting for Resources: running jobs of its partition that hold the GRES it asks for', () => {
    expect(holdersOf(job('5'), jobs)).toEqual({
      why: 'resources',
      jobs: [
        { jobId: '2', name: 'gpu', nodes: 'c2', cancel: 'remote cancel 2' },
        { jobId: '7', name: 'train', nodes: 'c3', cancel: 'scancel 7' },
      ],
    });
  });

  it('a pending job that asks for no GRES: any running job of its partition', () => {
    const cpu = { ...job('6'), id: '10', state: 'PENDING', reason: 'Resources' };
    expect(holdersOf(cpu, [...jobs, cpu])?.jobs.map((j) => j.jobId)).toEqual(['6']);
  });

  it('a per-user limit of the QOS: the running jobs that count against it, wherever they run', () => {
    const limited = { ...job('5'), reason: 'QOSMaxGRESPerUser' };
    expect(holdersOf(limited, jobs)).toMatchObject({ why: 'limit', jobs: [{ jobId: '2' }, { jobId: '7' }] });
    const jobsLimit = { ...job('5'), reason: 'QOSMaxJobsPerUserLimit' };
    expect(holdersOf(jobsLimit, jobs)?.jobs.map((j) => j.jobId)).toEqual(['2', '6', '7', '8']);
  });

  it('nothing to say for other reasons, or with no such job running', () => {
    expect(holdersOf(job('9'), jobs)).toBeUndefined();
    expect(holdersOf(job('5'), [job('5'), job('6')])).toBeUndefined();
  });

  it('the progress line names them and how to free them', () => {
    const base = { type: 'waiting', jobId: '5', state: 'PENDING', reason: 'Resources', elapsedSeconds: 12 } as const;
    expect(formatEvent({ ...base, heldBy: { why: 'resources', jobs: [{ jobId: '2', name: 'gpu', nodes: 'c2', cancel: 'remote cancel 2' }] } })).toBe(
      'job 5 PENDING (Resources), waited 12s: your job 2 (gpu, on c2) may hold what it waits for; "remote cancel 2" frees it',
    );
    expect(formatEvent({ ...base, reason: 'QOSMaxGRESPerUser', heldBy: holdersOf({ ...job('5'), reason: 'QOSMaxGRESPerUser' }, jobs) })).toBe(
      'job 5 PENDING (QOSMaxGRESPerUser), waited 12s: your jobs 2 (gpu, on c2), 7 (train, on c3) count against that limit of yours; "remote cancel 2" or "scancel 7" frees room',
    );
  });
});

describe('progress lines of a pending job', () => {
  function context(answers: () => RunResult) {
    let clock = 0;
    const calls: string[][] = [];
    const ctx = {
      run: async (command: string, args: string[]) => (calls.push([command, ...args]), answers()),
      user: 'ada',
      now: () => clock,
    } as unknown as SessionContext;
    return { ctx, calls, advance: (ms: number) => void (clock += ms) };
  }
  const waiting = (state: string, reason: string, elapsedSeconds: number): LogEvent => ({ type: 'waiting', jobId: '5', state, reason, elapsedSeconds });
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('get the hint from the line after squeue answered, asked in the background, again only every 15 s; a running job gets none', async () => {
    const { ctx, calls, advance } = context(() => ({ exitCode: 0, stdout: QUEUE, stderr: '' }));
    let out = '';
    const log = withHeldBy(ctx, createLog({ write: (t) => (out += t), isTTY: false }));
    log(waiting('PENDING', 'Resources', 1));
    await settle();
    advance(1500);
    log(waiting('PENDING', 'Resources', 2));
    advance(1500);
    log(waiting('PENDING', 'Resources', 4));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(['squeue', '--noheader', '--local', '--format=%i|%j|%T|%P|%N|%b|%r', '--user=ada']);
    advance(15_000);
    log(waiting('PENDING', 'Resources', 19));
    expect(calls).toHaveLength(2);
    log(waiting('RUNNING', 'None', 20));
    expect(out.split('\n')).toEqual([
      'slurmhop: job 5 PENDING (Resources), waited 1s',
      'slurmhop: job 5 PENDING (Resources), waited 2s: your jobs 2 (gpu, on c2), 7 (train, on c3) may hold what it waits for; "remote cancel 2" or "scancel 7" frees room',
      'slurmhop: job 5 RUNNING, waited 20s',
      '',
    ]);
  });

  it('a failing squeue leaves the lines as they are', async () => {
    const { ctx } = context(() => ({ exitCode: 1, stdout: '', stderr: 'slurm_load_jobs error: Socket timed out' }));
    const lines: LogEvent[] = [];
    const log = withHeldBy(ctx, (e) => lines.push(e));
    log(waiting('PENDING', 'Resources', 1));
    await settle();
    log(waiting('PENDING', 'Resources', 2));
    expect(lines.every((e) => e.type === 'waiting' && !e.heldBy)).toBe(true);
  });
});
