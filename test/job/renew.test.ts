// renew in the job, with a fake scheduler and a fake clock: at `renew` before
// the end an active session's job submits its successor and tells the
// terminals; an idle one records why not; config.ini is read as the job runs;
// at the end the successor stays after the time limit only (Slurm's word, not
// the clock's); a successor takes over the current session.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getProfile, parseConfig } from '../../src/config/index.js';
import { Renewal, type RenewalOptions } from '../../src/job/renew.js';
import type { RenewalDeps } from '../../src/job/renew-deps.js';
import type { RunResult } from '../../src/slurm/index.js';
import { readCurrent, readStatus, recordSubmitted, writeCurrent } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-renew-');
const MIN = 60_000;
const CONFIG = '[profile.gpu]\npartition = gpu\ntime = 2:00:00\nrenew = 10m\n';
const line = (id: string, state: string, reason = 'None') => `${id}|slurmhop-gpu|${state}|c2|N/A|0:00|2:00:00|1:00:00|gpu|N/A|${reason}`;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2026, 10, 21, 6, 0));
});
afterEach(() => vi.useRealTimers());

function setUp(options: { sbatch?: RunResult; ownReason?: string; config?: string; connections?: (() => number) | undefined } = {}) {
  const home = tmp();
  const state = path.join(home, 'state');
  fs.mkdirSync(path.join(state, 'jobs', '41'), { recursive: true }); // the job made it as it started
  const configFile = path.join(home, 'config.ini');
  fs.writeFileSync(configFile, options.config ?? CONFIG);
  const terminal = path.join(home, 'pts-1');
  fs.writeFileSync(terminal, '');
  const calls: string[][] = [];
  const deps: RenewalDeps = {
    run: async (command, args) => {
      calls.push([command, ...args]);
      if (command !== 'squeue') return { exitCode: 0, stdout: '', stderr: '' };
      const ids = args.find((a) => a.startsWith('--jobs='))?.slice(7);
      if (ids === '42') return { exitCode: 0, stdout: line('42', 'PENDING', 'Dependency'), stderr: '' };
      return { exitCode: 0, stdout: line('41', 'RUNNING', options.ownReason), stderr: '' };
    },
    sbatch: async (args) => {
      calls.push(['sbatch', ...args]);
      return options.sbatch ?? { exitCode: 0, stdout: '42', stderr: '' };
    },
    stateDir: state,
    user: 'ada',
    home,
    env: { PATH: '/usr/bin' },
    remote: ['/home/ada/.local/bin/remote'],
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: () => {},
    loadProfile: (name) => getProfile({ file: configFile, exists: true, profiles: parseConfig(fs.readFileSync(configFile, 'utf8'), configFile), update: {} as never }, name),
  };
  const renewalOptions: RenewalOptions = {
    jobId: '41',
    profile: 'gpu',
    startedAt: Date.now(),
    connections: 'connections' in options ? options.connections : () => 1,
    terminals: () => [{ name: '/dev/pts/1', path: terminal }],
  };
  const told = () => fs.readFileSync(terminal, 'utf8');
  const events = (jobId = '41') => readStatus(state, jobId);
  return { deps, renewalOptions, calls, told, events, configFile, state };
}

const END_IN = 120 * MIN;

describe('renew in the job', () => {
  it('an active session: the successor is submitted 10 minutes before the end, the terminals are told, the link recorded', async () => {
    const t = setUp({ ownReason: 'TimeLimit' });
    const renewal = new Renewal(t.deps, t.renewalOptions);
    renewal.setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 10 * MIN - 1_000);
    expect(t.calls.filter((c) => c[0] === 'sbatch')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(t.calls.filter((c) => c[0] === 'sbatch')).toHaveLength(1);
    expect(renewal.successor).toBe('42');
    expect(t.told()).toContain('Its successor, job 42, is queued (PENDING, Dependency; to start when this job ends, at 08:00)');
    expect(t.events().at(-1)).toMatchObject({ event: 'renewed', successor: '42', dependency: 'dependency=afterany:41' });
    expect(t.events('42')[0]).toMatchObject({ event: 'submitted', renews: '41', link: 2, chainHeld: 7200, chainStart: new Date(2026, 10, 21, 6, 0).toISOString() });

    // The time limit: the successor stays.
    expect(await renewal.confirmEnd('time-limit')).toBe('time-limit');
    await renewal.finish('time-limit');
    expect(t.calls.filter((c) => c[0] === 'scancel')).toEqual([]);
  });

  it('any other end takes the successor with it', async () => {
    const t = setUp();
    const renewal = new Renewal(t.deps, t.renewalOptions);
    renewal.setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 9 * MIN);
    await renewal.finish('idle');
    expect(t.calls.filter((c) => c[0] === 'scancel')).toEqual([['scancel', '42']]);
    expect(t.events().at(-1)).toMatchObject({ event: 'chain-ended', successor: '42', why: 'job 41 ended (idle) before its time limit' });
  });

  it('a cancel in the last minute looks like the time limit to the clock: Slurm\'s reason decides', async () => {
    const t = setUp({ ownReason: 'None' });
    const renewal = new Renewal(t.deps, t.renewalOptions);
    renewal.setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 9 * MIN);
    expect(await renewal.confirmEnd('time-limit')).toBe('cancelled');
    expect(await new Renewal(setUp({ ownReason: 'TimeLimit' }).deps, t.renewalOptions).confirmEnd('time-limit')).toBe('time-limit'); // no successor: not asked
    const limited = setUp({ ownReason: 'TimeLimit' });
    const other = new Renewal(limited.deps, limited.renewalOptions);
    other.setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 9 * MIN);
    expect(await other.confirmEnd('time-limit')).toBe('time-limit');
  });

  it('an idle session: no successor, the reason recorded, no terminal written', async () => {
    const t = setUp({ connections: () => 0 });
    new Renewal(t.deps, t.renewalOptions).setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 9 * MIN);
    expect(t.calls.filter((c) => c[0] === 'sbatch')).toEqual([]);
    expect(t.events().at(-1)).toMatchObject({ event: 'not-renewed', why: expect.stringContaining('no session was active') });
    expect(t.told()).toBe('');
  });

  it('sessions that cannot be counted: no successor, and the terminals are told why', async () => {
    const t = setUp({ connections: undefined });
    new Renewal(t.deps, t.renewalOptions).setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 9 * MIN);
    expect(t.calls.filter((c) => c[0] === 'sbatch')).toEqual([]);
    expect(t.told()).toContain("was not renewed: the session's activity cannot be counted on this node");
  });

  it('a refusal: the terminals and the records say why, and nothing is tried again', async () => {
    const t = setUp({ sbatch: { exitCode: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Required partition not available (inactive or drain)' } });
    new Renewal(t.deps, t.renewalOptions).setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN - 1 * MIN);
    expect(t.calls.filter((c) => c[0] === 'sbatch')).toHaveLength(1);
    expect(t.told()).toContain('*** slurmhop: job 41 (gpu) was not renewed: Slurm refused the successor: Batch job submission failed: Required partition not available (inactive or drain)');
    expect(t.events().at(-1)).toMatchObject({ event: 'not-renewed', why: expect.stringContaining('Required partition not available') });
  });

  it('config.ini is read as the job runs: renew set for a running session counts; a broken file is reported when it matters', async () => {
    const t = setUp({ config: '[profile.gpu]\npartition = gpu\ntime = 2:00:00\n' });
    const renewal = new Renewal(t.deps, t.renewalOptions);
    renewal.setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    fs.writeFileSync(t.configFile, CONFIG);
    await vi.advanceTimersByTimeAsync(52 * MIN);
    expect(renewal.successor).toBe('42');

    const broken = setUp();
    new Renewal(broken.deps, broken.renewalOptions).setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(100 * MIN);
    fs.writeFileSync(broken.configFile, `${CONFIG}cpus = many\n`);
    await vi.advanceTimersByTimeAsync(12 * MIN);
    expect(broken.calls.filter((c) => c[0] === 'sbatch')).toEqual([]);
    expect(broken.told()).toContain('was not renewed: config.ini cannot be used now:');
    expect(broken.told()).toContain('cpus must be a whole number');
  });

  it('renew off: nothing is asked of Slurm, ever', async () => {
    const t = setUp({ config: '[profile.gpu]\npartition = gpu\n' });
    new Renewal(t.deps, t.renewalOptions).setEndTime(Date.now() + END_IN);
    await vi.advanceTimersByTimeAsync(END_IN);
    expect(t.calls).toEqual([]);
    expect(t.events()).toEqual([]);
  });

  it('a successor takes over the current session from the job it renews, and no other', () => {
    const t = setUp();
    fs.mkdirSync(path.join(t.state, 'jobs', '42'));
    recordSubmitted(t.state, '42', 'gpu', undefined, { renews: '41', chainStart: new Date().toISOString(), link: 2, chainHeld: 7200 });
    writeCurrent(t.state, { profile: 'gpu', jobId: '41' });
    new Renewal(t.deps, { ...t.renewalOptions, jobId: '42' });
    expect(readCurrent(t.state)).toEqual({ profile: 'gpu', jobId: '42' });
    writeCurrent(t.state, { profile: 'cpu', jobId: '7' });
    new Renewal(t.deps, { ...t.renewalOptions, jobId: '42' });
    expect(readCurrent(t.state)).toEqual({ profile: 'cpu', jobId: '7' });
  });
});

describe('renew and the walltime warnings', () => {
  it('a warning due at the renewal waits for it, and is left out when the renewal just told the terminals; a later one names the successor', async () => {
    const t = setUp();
    const renewal = new Renewal(t.deps, t.renewalOptions);
    const end = Date.now() + END_IN;
    renewal.setEndTime(end);
    await vi.advanceTimersByTimeAsync(END_IN - 10 * MIN - 30_000);
    expect(await renewal.beforeWarning()).toEqual({ skip: false, successor: undefined });
    await vi.advanceTimersByTimeAsync(30_000);
    const atTheRenewal = renewal.beforeWarning();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await atTheRenewal).toEqual({ skip: true, successor: '42' });
    await vi.advanceTimersByTimeAsync(7 * MIN);
    expect(await renewal.beforeWarning()).toEqual({ skip: false, successor: '42' });
  });
});
