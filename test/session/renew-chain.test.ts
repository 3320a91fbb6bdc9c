// The login side of a renewed session, against a fake scheduler: a connect
// lands in the running job while its successor waits; once the job has ended,
// in the successor, submitting nothing; a connect that gives up on a pending
// successor (pending_timeout) never cancels it; the chain's links come from
// the records, and `remote cancel` takes a whole chain.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { choose } from '../../src/cli/commands/cancel.js';
import { parseConfig } from '../../src/config/index.js';
import { acquireJob, chainLinks, withTheirChains, type SessionJob } from '../../src/session/index.js';
import type { SessionContext } from '../../src/session/context.js';
import { establish } from '../../src/session/establish.js';
import type { RunResult } from '../../src/slurm/index.js';
import { appendStatus, recordSubmitted } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-renew-chain-');
const profile = parseConfig('[profile.gpu]\npartition = gpu\ntime = 2\nrenew = 1m\npending_timeout = 5\n', 'c.ini').get('gpu')!;
const line = (id: string, state: string, reason = 'None') => `${id}|slurmhop-gpu|${state}|${state === 'RUNNING' ? 'c2' : ''}|N/A|0:00|2:00|1:00|gpu|N/A|${reason}`;
const CHAIN = { renews: '41', chainStart: '2026-11-21T06:00:00.000Z', link: 2, chainHeld: 120 };

function fake(queue: string[]) {
  const stateDir = tmp();
  let clock = 0;
  const calls: string[] = [];
  for (const id of ['41', '42']) fs.mkdirSync(path.join(stateDir, 'jobs', id), { recursive: true });
  recordSubmitted(stateDir, '41', 'gpu');
  recordSubmitted(stateDir, '42', 'gpu', undefined, CHAIN);
  const ctx = {
    run: async (command: string, args: string[]): Promise<RunResult> => {
      calls.push([command, ...args].join(' '));
      if (command !== 'squeue') return { exitCode: 0, stdout: '99', stderr: '' };
      const ids = args.find((a) => a.startsWith('--jobs='))?.slice(7).split(',');
      return { exitCode: 0, stdout: queue.filter((l) => !ids || ids.includes(l.split('|')[0]!)).join('\n'), stderr: '' };
    },
    log: () => {},
    user: 'ada',
    home: stateDir,
    stateDir,
    remoteCommand: ['remote'],
    now: () => clock,
    sleep: async (ms: number) => void (clock += ms),
  } as unknown as SessionContext;
  return { ctx, calls, stateDir };
}

describe('a connect and a renewed session', () => {
  it('while the job runs and its successor waits, a connect lands in the job', async () => {
    const { ctx, calls } = fake([line('41', 'RUNNING'), line('42', 'PENDING', 'Dependency')]);
    expect(await acquireJob(ctx, profile)).toEqual({ jobId: '41', submittedByUs: false });
    expect(calls.filter((c) => c.startsWith('sbatch'))).toEqual([]);
  });

  it('once the job has ended (its end recorded, Slurm still finishing it), a connect takes the successor and submits nothing', async () => {
    const { ctx, calls, stateDir } = fake([line('41', 'RUNNING'), line('42', 'PENDING', 'Dependency')]);
    appendStatus(stateDir, { event: 'ended', jobId: '41', profile: 'gpu', reason: 'time-limit' });
    expect(await acquireJob(ctx, profile)).toEqual({ jobId: '42', submittedByUs: false });
    const gone = fake([line('42', 'PENDING', 'Priority')]);
    expect(await acquireJob(gone.ctx, profile)).toEqual({ jobId: '42', submittedByUs: false });
    expect([...calls, ...gone.calls].filter((c) => c.startsWith('sbatch'))).toEqual([]);
  });

  it('a connect that gives up waiting for a pending successor (pending_timeout) leaves it queued', async () => {
    const { ctx, calls } = fake([line('42', 'PENDING', 'Dependency')]);
    await expect(establish(ctx, profile, new AbortController().signal, async () => undefined)).rejects.toMatchObject({ kind: 'pending-timeout' });
    expect(calls.filter((c) => c.startsWith('scancel') || c.startsWith('sbatch'))).toEqual([]);
  });
});

describe('the chain, from the records', () => {
  const job = (id: string, profileName = 'gpu', state = 'RUNNING') => ({ id, profile: profileName, state, name: `slurmhop-${profileName}` }) as SessionJob;

  it('links a job and its successor, from either side\'s record', () => {
    const { stateDir } = fake([]);
    expect(chainLinks(stateDir, [job('41'), job('42')])).toEqual(new Map([['41', { renewedBy: '42' }], ['42', { renews: '41' }]]));
    // The successor's record not seen yet (a network home): the job's own event says it.
    fs.rmSync(path.join(stateDir, 'jobs', '42', 'submitted'));
    appendStatus(stateDir, { event: 'renewed', jobId: '41', profile: 'gpu', successor: '42', dependency: 'dependency=afterany:41' });
    expect(chainLinks(stateDir, [job('41'), job('42')]).get('42')).toEqual({ renews: '41' });
    // A link to a job not listed (long gone) links nothing.
    expect(chainLinks(stateDir, [job('42')])).toEqual(new Map([['42', {}]]));
  });

  it('"remote cancel" of any link, of the profile, or with no argument, takes the whole chain and nothing else', () => {
    const { stateDir } = fake([]);
    fs.mkdirSync(path.join(stateDir, 'jobs', '43'), { recursive: true });
    recordSubmitted(stateDir, '43', 'gpu', undefined, { ...CHAIN, renews: '42', link: 3 });
    const jobs = [job('7', 'cpu'), job('41'), job('42'), job('43', 'gpu', 'PENDING')];
    const links = chainLinks(stateDir, jobs);
    const ids = (chosen: SessionJob[]) => chosen.map((j) => j.id);
    expect(ids(choose(jobs, '43', false, links))).toEqual(['41', '42', '43']);
    expect(ids(choose(jobs, '41', false, links))).toEqual(['41', '42', '43']);
    expect(ids(choose(jobs, '7', false, links))).toEqual(['7']);
    expect(ids(choose(jobs, 'gpu', false, links))).toEqual(['41', '42', '43']);
    expect(ids(choose(jobs.slice(1), undefined, false, links))).toEqual(['41', '42', '43']); // one session
    expect(() => choose(jobs, undefined, false, links)).toThrow(/you have 4 slurmhop jobs/);
    expect(ids(withTheirChains([job('7', 'cpu')], jobs, links))).toEqual(['7']);
  });
});
