import { describe, expect, it } from 'vitest';
import { createLog, type LogEvent } from '../src/log.js';

const waiting = (state: string, reason: string, elapsedSeconds: number): LogEvent => ({ type: 'waiting', jobId: '7', state, reason, elapsedSeconds });

describe('progress on stderr', () => {
  it('a pipe gets one line per change of state or reason, not one per poll', () => {
    let out = '';
    const log = createLog({ write: (t) => (out += t), isTTY: false });
    log({ type: 'submitted', jobId: '7', profile: 'cpu' });
    log(waiting('PENDING', 'Priority', 0));
    log(waiting('PENDING', 'Priority', 1));
    log(waiting('PENDING', 'Resources', 3));
    log(waiting('RUNNING', 'None', 5));
    log({ type: 'ready', jobId: '7', node: 'c1', port: 4000, elapsedSeconds: 6 });
    expect(out.split('\n')).toEqual([
      'slurmhop: submitted job 7 for profile cpu',
      'slurmhop: job 7 PENDING (Priority), waited 0s',
      'slurmhop: job 7 PENDING (Resources), waited 3s',
      'slurmhop: job 7 RUNNING, waited 5s',
      'slurmhop: job 7 ready on c1:4000 after 6s',
      '',
    ]);
  });

  it('a pipe is told every 30 s that a long wait goes on, without a terminal to update a line in', () => {
    let out = '';
    const log = createLog({ write: (t) => (out += t), isTTY: false });
    for (const t of [0, 10, 20, 29, 31, 45, 60, 62]) log(waiting('PENDING', 'Resources', t));
    expect(out.trim().split('\n')).toEqual([
      'slurmhop: job 7 PENDING (Resources), waited 0s',
      'slurmhop: job 7 PENDING (Resources), waited 31s',
      'slurmhop: job 7 PENDING (Resources), waited 1m02s',
    ]);
  });

  it('a terminal gets one line that updates in place, then the next message on a fresh line', () => {
    let out = '';
    const log = createLog({ write: (t) => (out += t), isTTY: true });
    log(waiting('PENDING', 'Priority', 0));
    log(waiting('PENDING', 'Priority', 1));
    log({ type: 'ready', jobId: '7', node: 'c1', port: 4000, elapsedSeconds: 2 });
    expect(out).toBe('\r\x1b[Kslurmhop: job 7 PENDING (Priority), waited 0s\r\x1b[Kslurmhop: job 7 PENDING (Priority), waited 1s\r\x1b[Kslurmhop: job 7 ready on c1:4000 after 2s\n');
  });

  it('shows the estimated start when Slurm has one', () => {
    let out = '';
    const log = createLog({ write: (t) => (out += t), isTTY: false });
    log({ ...(waiting('PENDING', 'Resources', 70) as object), estimatedStart: '2026-11-21T09:00:00' } as LogEvent);
    expect(out).toBe('slurmhop: job 7 PENDING (Resources), est. start 2026-11-21T09:00:00, waited 1m10s\n');
  });

  it('a pipe gets a new line when the hint about one\'s own jobs appears or changes', () => {
    let out = '';
    const log = createLog({ write: (t) => (out += t), isTTY: false });
    const heldBy = { why: 'resources' as const, jobs: [{ jobId: '2', name: 'gpu', nodes: 'c2', cancel: 'remote cancel 2' }] };
    log(waiting('PENDING', 'Resources', 1));
    log({ ...(waiting('PENDING', 'Resources', 2) as object), heldBy } as LogEvent);
    log({ ...(waiting('PENDING', 'Resources', 3) as object), heldBy } as LogEvent);
    expect(out.split('\n')).toEqual([
      'slurmhop: job 7 PENDING (Resources), waited 1s',
      'slurmhop: job 7 PENDING (Resources), waited 2s: your job 2 (gpu, on c2) may hold what it waits for; "remote cancel 2" frees it',
      '',
    ]);
  });
});
