import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { SessionContext } from '../../src/session/context.js';
import { swap, withCarriedConstraints } from '../../src/session/index.js';
import type { RunResult } from '../../src/slurm/index.js';
import { appendStatus, readCurrent, writeContact, writeCurrent } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-current-');
const profiles = parseConfig('[profile.cpu]\nconstraint = ib\n[profile.gpu]\ngres = gpu:1\n[profile.a100]\nconstraint = a100\n', 'c.ini');

describe('swap', () => {
  it('carries the current node constraints over when the target sets none', () => {
    expect(withCarriedConstraints(profiles.get('gpu')!, profiles.get('cpu')).constraint).toBe('ib');
    expect(withCarriedConstraints(profiles.get('a100')!, profiles.get('cpu')).constraint).toBe('a100');
    expect(withCarriedConstraints(profiles.get('gpu')!, undefined).constraint).toBeUndefined();
  });

  it('the current session pointer round-trips, and a damaged one reads as none', () => {
    const state = tmp();
    expect(readCurrent(state)).toBeUndefined();
    writeCurrent(state, { profile: 'gpu', jobId: '12' });
    expect(readCurrent(state)).toEqual({ profile: 'gpu', jobId: '12' });
    fs.writeFileSync(`${state}/current`, '{"profile":');
    expect(readCurrent(state)).toBeUndefined();
  });
});

// A swap against a fake scheduler: the job a submission gets announces its contact at once, as job/run.ts does.
const CONTACT = { version: 1, profile: 'gpu', node: 'c2', port: 4000, user: 'ada', pid: 1, readyAt: '' };
const squeueLine = (id: string, profile: string, state: string) => `${id}|slurmhop-${profile}|${state}|c2|N/A|1:00|30:00|29:00|gpu|N/A|None`;

function swapContext(queue: Array<[string, string, string]>, nextId = '5') {
  const stateDir = tmp();
  const calls: string[][] = [];
  const ctx = {
    run: async (command: string, args: string[]): Promise<RunResult> => {
      calls.push([command, ...args]);
      if (command === 'sbatch') {
        fs.mkdirSync(`${stateDir}/jobs/${nextId}`, { recursive: true });
        writeContact(stateDir, { ...CONTACT, jobId: nextId });
        appendStatus(stateDir, { event: 'ready', jobId: nextId, profile: 'gpu', node: 'c2', port: 4000, contact: { ...CONTACT, jobId: nextId } });
        queue.push([nextId, 'gpu', 'RUNNING']);
        return { exitCode: 0, stdout: nextId, stderr: '' };
      }
      if (command === 'scancel') return { exitCode: 0, stdout: '', stderr: '' };
      const only = args.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length).split(',');
      const listed = queue.filter(([id]) => !only || only.includes(id));
      if (only && !listed.length) return { exitCode: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' };
      return { exitCode: 0, stdout: listed.map(([id, p, s]) => squeueLine(id, p, s)).join('\n'), stderr: '' };
    },
    log: () => {},
    user: 'ada',
    home: stateDir,
    stateDir,
    remoteCommand: ['remote'],
    now: () => Date.now(),
    sleep: async () => {},
  } as unknown as SessionContext;
  return { ctx, calls, stateDir };
}

/** The current session: gpu's job 2, ready on c2. */
function onGpu(stateDir: string) {
  fs.mkdirSync(`${stateDir}/jobs/2`, { recursive: true });
  writeContact(stateDir, { ...CONTACT, jobId: '2' });
  writeCurrent(stateDir, { profile: 'gpu', jobId: '2' });
}

describe('swapping to the profile the session is on', () => {
  const gpu = profiles.get('gpu')!;

  it('whose job runs: answered at once, nothing submitted, nothing ended', async () => {
    const { ctx, calls, stateDir } = swapContext([['2', 'gpu', 'RUNNING']]);
    onGpu(stateDir);
    const result = await swap(ctx, gpu, gpu);
    expect(result).toMatchObject({ already: true, job: { jobId: '2' }, contact: { node: 'c2' }, previousEnded: false });
    expect(calls.map((c) => c[0])).toEqual(['squeue']);
    expect(calls[0]).toContain('--jobs=2');
    expect(readCurrent(stateDir)).toEqual({ profile: 'gpu', jobId: '2' });
  });

  it('--fresh: a new job, and the old one ends as swapped', async () => {
    const { ctx, calls, stateDir } = swapContext([['2', 'gpu', 'RUNNING']]);
    onGpu(stateDir);
    const result = await swap(ctx, gpu, gpu, { fresh: true });
    expect(result).toMatchObject({ already: false, job: { jobId: '5' }, previous: { jobId: '2' }, previousEnded: true });
    expect(calls.filter((c) => c[0] === 'sbatch')).toHaveLength(1);
    expect(calls).toContainEqual(['scancel', '2']);
    expect(fs.readFileSync(`${stateDir}/jobs/2/swapped`, 'utf8')).toBe('5\n');
    expect(readCurrent(stateDir)).toEqual({ profile: 'gpu', jobId: '5' });
  });

  it('whose job Slurm no longer runs: a job as for any swap', async () => {
    const { ctx, calls, stateDir } = swapContext([]);
    onGpu(stateDir); // its contact is left over
    const result = await swap(ctx, gpu, gpu);
    expect(result).toMatchObject({ already: false, job: { jobId: '5' } });
    expect(calls.filter((c) => c[0] === 'sbatch')).toHaveLength(1);
  });

  it('with another profile, --fresh does not reuse that profile\'s running job', async () => {
    const { ctx, calls, stateDir } = swapContext([['3', 'gpu', 'RUNNING']], '6');
    fs.mkdirSync(`${stateDir}/jobs/3`, { recursive: true });
    writeContact(stateDir, { ...CONTACT, jobId: '3' });
    appendStatus(stateDir, { event: 'ready', jobId: '3', profile: 'gpu', node: 'c2', port: 4000, contact: { ...CONTACT, jobId: '3' } });
    writeCurrent(stateDir, { profile: 'cpu', jobId: '1' });
    expect((await swap(ctx, gpu, profiles.get('cpu'), { keep: true })).job.jobId).toBe('3'); // reused
    writeCurrent(stateDir, { profile: 'cpu', jobId: '1' });
    expect((await swap(ctx, gpu, profiles.get('cpu'), { keep: true, fresh: true })).job.jobId).toBe('6');
    expect(calls.filter((c) => c[0] === 'sbatch')).toHaveLength(1);
  });
});
