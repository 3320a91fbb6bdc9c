// `remote history` of renewed sessions: each link says which job it renewed
// and which job followed it, or why none did (or why the successor went).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectHistory, historyRows, type HistoryDeps } from '../../src/history/index.js';
import { appendStatus } from '../../src/state/index.js';
import type { JobInfo } from '../../src/slurm/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { endedSession, writeJob } from './fake-state.js';
import { at, BASE, inUtc } from './time.js';

const tmp = tempDirs('slurmhop-history-renew-');
inUtc();

function successorRecord(state: string, jobId: string, renews: string, when: string): void {
  fs.mkdirSync(path.join(state, 'jobs', jobId), { recursive: true });
  fs.writeFileSync(path.join(state, 'jobs', jobId, 'submitted'), `${JSON.stringify({ event: 'submitted', at: when, jobId, profile: 'gpu', renews, chainStart: at(0), link: 2, chainHeld: 120 })}\n`);
}

const deps = (state: string, queue: JobInfo[] = []): HistoryDeps => ({ stateDir: state, now: () => BASE + 3600_000, queue: async () => queue, log: () => {} });

describe('remote history: renewed sessions', () => {
  it('the chain: renewed by, renewal of, and why the last link was not renewed', async () => {
    const state = tmp();
    writeJob(state, '41', { ...endedSession(at, 0, 'time-limit'), profile: 'gpu' });
    appendStatus(state, { event: 'renewed', jobId: '41', profile: 'gpu', successor: '42', dependency: 'dependency=afterany:41' });
    successorRecord(state, '42', '41', at(60));
    appendStatus(state, { event: 'started', jobId: '42', profile: 'gpu', node: 'c2' });
    appendStatus(state, { event: 'not-renewed', jobId: '42', profile: 'gpu', why: 'renew_max = 5m is reached' });
    appendStatus(state, { event: 'ended', jobId: '42', profile: 'gpu', reason: 'time-limit' });
    const history = await collectHistory(deps(state), { limit: 0 });
    const of = (id: string) => history.sessions.find((s) => s.jobId === id)!;
    expect(of('41')).toMatchObject({ renews: null, renewedBy: '42', renewal: null, why: 'time limit; renewed by job 42' });
    expect(of('42')).toMatchObject({ renews: '41', renewedBy: null, renewal: 'not renewed: renew_max = 5m is reached', why: 'renewal of 41: time limit, before the session was ready; not renewed: renew_max = 5m is reached' });
    expect(historyRows(history)[1]!.at(-1)).toBe(of('42').why);
  });

  it('a link cancelled with its predecessor never started, and the predecessor says so', async () => {
    const state = tmp();
    writeJob(state, '51', { ...endedSession(at, 0, 'cancelled'), profile: 'gpu' });
    appendStatus(state, { event: 'renewed', jobId: '51', profile: 'gpu', successor: '52', dependency: 'dependency=afterany:51' });
    appendStatus(state, { event: 'chain-ended', jobId: '51', profile: 'gpu', successor: '52', why: 'job 51 ended (cancelled) before its time limit' });
    successorRecord(state, '52', '51', at(60));
    const history = await collectHistory(deps(state), { limit: 0 });
    const of = (id: string) => history.sessions.find((s) => s.jobId === id)!;
    expect(of('51')).toMatchObject({ renewedBy: '52', why: 'cancelled; its successor, job 52, was cancelled with it' });
    expect(of('52')).toMatchObject({ state: 'never-started', renews: '51', why: 'renewal of 51: never started (cancelled while pending?)' });
  });

  it('an idle session\'s job says it was not renewed', async () => {
    const state = tmp();
    writeJob(state, '61', { ...endedSession(at, 0, 'time-limit'), profile: 'gpu' });
    appendStatus(state, { event: 'not-renewed', jobId: '61', profile: 'gpu', why: 'no session was active' });
    const [s] = (await collectHistory(deps(state), { limit: 0 })).sessions;
    expect(s!.why).toBe('time limit; not renewed: no session was active');
  });
});
