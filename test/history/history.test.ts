import { describe, expect, it } from 'vitest';
import { classify, collectHistory, historyRows, limitNote, readJobRecords, type HistoryDeps } from '../../src/history/index.js';
import { appendStatus } from '../../src/state/index.js';
import fs from 'node:fs';
import path from 'node:path';
import type { LogEvent } from '../../src/log.js';
import type { JobInfo } from '../../src/slurm/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { endedSession, writeJob } from './fake-state.js';
import { at, BASE, inUtc } from './time.js';

const tmp = tempDirs('slurmhop-history-');
const NOW = BASE + 3600_000;

inUtc();

function deps(state: string, queue: HistoryDeps['queue'] = async () => []) {
  const events: LogEvent[] = [];
  const asked: string[][] = [];
  const d: HistoryDeps = {
    stateDir: state,
    now: () => NOW,
    queue: async (ids) => {
      asked.push(ids);
      return queue(ids);
    },
    log: (e) => events.push(e),
  };
  return { deps: d, events, asked };
}

const queued = (id: string, state: string, reason = 'None') => ({ id, name: 'slurmhop-cpu', state, reason }) as JobInfo;

describe('remote history: why each session ended', () => {
  it('every recorded end reason, in words, with the raw reason kept for programs; unknown reasons as recorded', async () => {
    const state = tmp();
    const reasons = ['cancelled', 'time-limit', 'idle', 'swapped', 'sshd-exited', 'signal', 'preempted-by-a-newer-version'];
    reasons.forEach((reason, i) => writeJob(state, String(100 + i), endedSession(at, i * 100, reason)));
    writeJob(state, '200', { submitted: at(900), started: { at: at(905), node: 'c2' }, ended: { at: at(907), reason: 'sshd-failed', detail: 'sshd: no hostkeys available' } });
    const { deps: d, asked } = deps(state);
    const history = await collectHistory(d, { limit: 0 });
    const byId = new Map(history.sessions.map((s) => [s.jobId, s]));
    expect(asked).toEqual([]); // every job has a recorded end: Slurm is not asked
    expect(history.slurm).toEqual({ asked: false, error: null });
    expect(reasons.map((_, i) => [byId.get(String(100 + i))!.reason, byId.get(String(100 + i))!.why, byId.get(String(100 + i))!.state])).toEqual([
      ['cancelled', 'cancelled', 'ended'],
      ['time-limit', 'time limit', 'ended'],
      ['idle', 'idle (idle_timeout)', 'ended'],
      ['swapped', 'swapped', 'ended'],
      ['sshd-exited', "failed: the job's sshd exited", 'failed'],
      ['signal', 'stopped by a signal', 'ended'],
      ['preempted-by-a-newer-version', 'preempted-by-a-newer-version', 'ended'],
    ]);
    expect(byId.get('200')).toMatchObject({
      state: 'failed',
      reason: 'sshd-failed',
      detail: 'sshd: no hostkeys available',
      why: 'failed: sshd did not start (sshd: no hostkeys available)',
      node: 'c2',
      readyAt: null,
      durationSeconds: 2,
    });
  });

  it('a job that ended before its session was ready: failed, unless it was cancelled', async () => {
    const state = tmp();
    writeJob(state, '1', { submitted: at(0), started: { at: at(5), node: 'c1' }, ended: { at: at(20), reason: 'cancelled' } });
    writeJob(state, '2', { submitted: at(100), started: { at: at(105), node: 'c1' }, ended: { at: at(170), reason: 'time-limit' } });
    const { sessions } = await collectHistory(deps(state).deps, { limit: 0 });
    expect(sessions.map((s) => [s.jobId, s.state, s.why])).toEqual([
      ['2', 'failed', 'time limit, before the session was ready'],
      ['1', 'ended', 'cancelled, before the session was ready'],
    ]);
  });

  it('times, node, profile and duration from the records', async () => {
    const state = tmp();
    writeJob(state, '7', { ...endedSession(at, 0, 'idle', 'c2'), profile: 'gpu' });
    const [s] = (await collectHistory(deps(state).deps, { limit: 0 })).sessions;
    expect(s).toEqual({
      jobId: '7',
      profile: 'gpu',
      node: 'c2',
      submittedAt: at(0),
      startedAt: at(5),
      readyAt: at(6),
      endedAt: at(65),
      durationSeconds: 60,
      state: 'ended',
      reason: 'idle',
      detail: null,
      why: 'idle (idle_timeout)',
      memoryKills: 0,
      slurmState: null,
      output: `${state}/logs/7.out`,
      renews: null,
      renewedBy: null,
      renewal: null,
    });
  });
});

describe('remote history: jobs with no recorded end', () => {
  function writeUndecided(state: string) {
    writeJob(state, '10', { submitted: at(0) }); // never ran
    writeJob(state, '11', { submitted: at(10), output: true }); // Slurm started it; remote job never recorded a start
    writeJob(state, '12', { submitted: at(20), started: { at: at(25), node: 'c1' }, ready: { at: at(26), node: 'c1' }, contact: { node: 'c1', port: 40001 }, output: true });
    writeJob(state, '13', { submitted: at(30), started: { at: at(35), node: 'c2' }, output: true }); // started, not ready
    writeJob(state, '14', { submitted: at(40), started: { at: at(45), node: 'c1' }, ready: { at: at(46), node: 'c1' }, output: true }); // ready, no contact, no end
  }

  it('Slurm forgot them all: never started, failed before starting, ended without a record; one squeue call for only those ids', async () => {
    const state = tmp();
    writeUndecided(state);
    writeJob(state, '9', endedSession(at, -100, 'cancelled'));
    const { deps: d, asked } = deps(state);
    const history = await collectHistory(d, { limit: 0 });
    expect(asked).toEqual([['14', '13', '12', '11', '10']]);
    expect(history.slurm).toEqual({ asked: true, error: null });
    expect(history.sessions.map((s) => [s.jobId, s.state, s.why])).toEqual([
      ['14', 'failed', `ended without a record (killed, or its node failed?) (see ${state}/logs/14.out)`],
      ['13', 'failed', `ended without a record (killed, or its node failed?) (see ${state}/logs/13.out)`],
      ['12', 'failed', `ended without a record (killed, or its node failed?) (see ${state}/logs/12.out)`],
      ['11', 'failed', `failed before starting (see ${state}/logs/11.out)`],
      ['10', 'never-started', 'never started (cancelled while pending?)'],
      ['9', 'ended', 'cancelled'],
    ]);
  });

  it('Slurm still has them: running (with the time so far), starting, pending', async () => {
    const state = tmp();
    writeUndecided(state);
    const queue = async () => [queued('10', 'PENDING', 'Resources'), queued('11', 'RUNNING'), queued('12', 'RUNNING'), queued('13', 'CONFIGURING'), queued('14', 'COMPLETING')];
    const { sessions } = await collectHistory(deps(state, queue).deps, { limit: 0 });
    expect(sessions.map((s) => [s.jobId, s.state, s.why, s.slurmState, s.durationSeconds])).toEqual([
      ['14', 'unknown', 'ending (Slurm says COMPLETING), no end recorded yet', 'COMPLETING', null],
      ['13', 'starting', 'starting (sshd not ready yet)', 'CONFIGURING', 3600 - 35],
      ['12', 'running', 'running', 'RUNNING', 3600 - 25],
      ['11', 'starting', 'starting (env_setup)', 'RUNNING', null],
      ['10', 'pending', 'pending (Resources)', 'PENDING', null],
    ]);
  });

  it('Slurm still shows them in a final state (some versions do for MinJobAge): its word is used', async () => {
    const state = tmp();
    writeUndecided(state);
    const queue = async () => [queued('10', 'CANCELLED'), queued('11', 'FAILED'), queued('13', 'NODE_FAIL')];
    const { sessions } = await collectHistory(deps(state, queue).deps, { limit: 0 });
    expect(sessions.filter((s) => ['10', '11', '13'].includes(s.jobId)).map((s) => [s.jobId, s.state, s.why])).toEqual([
      ['13', 'failed', `ended without a record (Slurm says NODE_FAIL) (see ${state}/logs/13.out)`],
      ['11', 'failed', `failed before starting (Slurm says FAILED) (see ${state}/logs/11.out)`],
      ['10', 'never-started', 'never started (cancelled while pending)'],
    ]);
  });

  it('Slurm does not answer: the records alone answer, and a warning says so', async () => {
    const state = tmp();
    writeUndecided(state);
    writeJob(state, '9', endedSession(at, -100, 'time-limit'));
    const { deps: d, events } = deps(state, async () => {
      throw new Error('squeue was not found on PATH');
    });
    const history = await collectHistory(d, { limit: 0 });
    expect(history.slurm).toEqual({ asked: true, error: 'squeue was not found on PATH' });
    expect(events).toEqual([{ type: 'warn', message: 'Slurm did not answer (squeue was not found on PATH): jobs with no recorded end are described from their records alone' }]);
    expect(history.sessions.map((s) => [s.jobId, s.state, s.why])).toEqual([
      ['14', 'failed', `ended without a record (killed, or its node failed?) (see ${state}/logs/14.out)`],
      ['13', 'unknown', 'started, no end recorded (still starting, or killed?)'],
      ['12', 'running', 'running'],
      ['11', 'unknown', `no start recorded: failed before starting, or still in env_setup? (see ${state}/logs/11.out)`],
      ['10', 'never-started', 'never started (still pending, or cancelled while pending?)'],
      ['9', 'ended', 'time limit'],
    ]);
  });
});

describe('remote history: order, limit, damaged records', () => {
  it('newest first by submission, whatever the job ids; --limit keeps the newest and asks Slurm only about those', async () => {
    const state = tmp();
    writeJob(state, '5', endedSession(at, 300, 'idle'));
    writeJob(state, '90', endedSession(at, 100, 'idle'));
    writeJob(state, '3', { submitted: at(200) });
    writeJob(state, '4', { submitted: at(50) });
    const { deps: d, asked } = deps(state);
    const history = await collectHistory(d, { limit: 2 });
    expect(history.sessions.map((s) => s.jobId)).toEqual(['5', '3']);
    expect(history.total).toBe(4);
    expect(asked).toEqual([['3']]);
    expect(limitNote(history)).toBe('(the newest 2 of 4; --limit 0 shows all)');
    expect(limitNote(await collectHistory(d, { limit: 0 }))).toBeUndefined();
  });

  it('a job the job itself wrote about but the login node did not (no submitted record), a torn line, an empty job directory', async () => {
    const state = tmp();
    writeJob(state, '20', { started: { at: at(5), node: 'c1' }, ready: { at: at(6), node: 'c1' }, ended: { at: at(30), reason: 'cancelled' }, rawStatus: '{"event":"ended","at' });
    writeJob(state, '21', {});
    const { sessions } = await collectHistory(deps(state, async () => []).deps, { limit: 0 });
    const j20 = sessions.find((s) => s.jobId === '20')!;
    expect(j20).toMatchObject({ submittedAt: null, startedAt: at(5), state: 'ended', why: 'cancelled', durationSeconds: 25, profile: 'cpu' });
    expect(sessions.find((s) => s.jobId === '21')).toMatchObject({ state: 'never-started', profile: null });
  });

  it('a requeued job: only its latest run counts', async () => {
    const state = tmp();
    writeJob(state, '30', {
      submitted: at(0),
      started: { at: at(5), node: 'c1' },
      rawStatus: `${JSON.stringify({ event: 'ended', at: at(9), jobId: '30', profile: 'cpu', reason: 'signal' })}\n${JSON.stringify({ event: 'started', at: at(20), jobId: '30', profile: 'cpu', node: 'c2' })}\n`,
      contact: { node: 'c2', port: 1 },
    });
    const { sessions } = await collectHistory(deps(state, async () => [queued('30', 'RUNNING')]).deps, { limit: 0 });
    expect(sessions[0]).toMatchObject({ node: 'c2', startedAt: at(20), state: 'starting', endedAt: null });
  });

  it('no state directory at all: no sessions', async () => {
    const history = await collectHistory(deps(`${tmp()}/missing`).deps, { limit: 0 });
    expect(history).toEqual({ sessions: [], total: 0, slurm: { asked: false, error: null } });
  });
});

describe('remote history: the table', () => {
  it('local times, the date once per session, "-" for what is unknown', async () => {
    const state = tmp();
    writeJob(state, '41', { ...endedSession(at, 0, 'time-limit', 'c2'), profile: 'gpu' });
    writeJob(state, '42', { submitted: at(7200) });
    const rows = historyRows(await collectHistory(deps(state).deps, { limit: 0 }));
    expect(rows).toEqual([
      ['JOBID', 'PROFILE', 'NODE', 'SUBMITTED', 'STARTED', 'ENDED', 'DURATION', 'OUTCOME'],
      ['42', 'cpu', '-', '2025-03-04 12:00:00', '-', '-', '-', 'never started (cancelled while pending?)'],
      ['41', 'gpu', 'c2', '2025-03-04 10:00:00', '10:00:05', '10:01:05', '1m00s', 'time limit'],
    ]);
  });
});

describe('remote history: memory kills', () => {
  it('a job whose processes were killed for its memory limit says so before its end', () => {
    const state = tmp();
    fs.mkdirSync(path.join(state, 'jobs', '9'), { recursive: true });
    for (const e of [
      { event: 'started', jobId: '9', profile: 'small', node: 'c1' },
      { event: 'ready', jobId: '9', profile: 'small', node: 'c1', port: 9 },
      { event: 'memory-killed', jobId: '9', profile: 'small', kills: 1, limitBytes: 300 * 1_048_576 },
      { event: 'memory-killed', jobId: '9', profile: 'small', kills: 2, limitBytes: 300 * 1_048_576 },
      { event: 'ended', jobId: '9', profile: 'small', reason: 'cancelled' },
    ] as const) appendStatus(state, e);
    const entry = classify(readJobRecords(state, '9'), Date.now(), undefined);
    expect(entry).toMatchObject({ memoryKills: 3, state: 'ended' });
    expect(entry!.why).toBe('the job reached its memory limit of 300 MiB: the kernel killed 3 processes of the job (ask for more with mem = ... in the profile); cancelled');
  });
});

describe('remote history: an output file a waiting connect made', () => {
  it('an empty output (made before the job could write, never written) is no sign that the job ran', () => {
    const state = tmp();
    fs.mkdirSync(path.join(state, 'jobs', '12'), { recursive: true });
    fs.mkdirSync(path.join(state, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(state, 'logs', '12.out'), '');
    fs.writeFileSync(path.join(state, 'jobs', '12', 'status'), '');
    const entry = classify(readJobRecords(state, '12'), Date.now(), new Map());
    expect(entry).toMatchObject({ state: 'never-started', output: null });
  });
});
