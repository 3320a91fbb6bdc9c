// Old jobs' directories and output go after the retention period; their
// records stay for history; live jobs and recent ones are kept.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectHistory } from '../../src/history/collect.js';
import { appendStatus, prunableJobs, pruneEndedJobs, pruneJob, pruneLock, readArchive, recordSubmitted, RETENTION_MS, tryLock, writeContact } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-prune-');
const DAY = 24 * 3_600_000;

function job(state: string, id: string, ageMs: number, { live = false } = {}) {
  const dir = path.join(state, 'jobs', id);
  fs.mkdirSync(dir, { recursive: true });
  recordSubmitted(state, id, 'cpu');
  appendStatus(state, { event: 'started', jobId: id, profile: 'cpu', node: 'c1' });
  appendStatus(state, { event: 'ended', jobId: id, profile: 'cpu', reason: 'idle' });
  fs.writeFileSync(path.join(dir, 'sshd_config'), 'SetEnv SECRET=1\n');
  fs.mkdirSync(path.join(state, 'logs'), { recursive: true });
  fs.writeFileSync(path.join(state, 'logs', `${id}.out`), 'output\n');
  if (live) writeContact(state, { version: 1, jobId: id, profile: 'cpu', node: 'c1', port: 1, user: 'u', pid: 1, readyAt: '' });
  const then = new Date(Date.now() - ageMs);
  for (const f of [path.join(dir, 'submitted'), path.join(dir, 'status'), path.join(dir, 'sshd_config'), path.join(state, 'logs', `${id}.out`), dir]) fs.utimesSync(f, then, then);
}

describe('pruning ended jobs', () => {
  it('removes the directory and output of jobs older than the retention period, keeps their records for history', async () => {
    const state = tmp();
    job(state, '10', RETENTION_MS + DAY);
    job(state, '11', RETENTION_MS + DAY, { live: true }); // a contact: never pruned
    job(state, '12', DAY); // recent
    expect(pruneEndedJobs(state)).toEqual(['10']);
    expect(fs.readdirSync(path.join(state, 'jobs')).filter((n) => n !== '.pruned').sort()).toEqual(['11', '12']);
    expect(fs.existsSync(path.join(state, 'logs', '10.out'))).toBe(false);
    expect(readArchive(state)).toMatchObject([{ jobId: '10', events: [{ event: 'submitted' }, { event: 'started' }, { event: 'ended', reason: 'idle' }] }]);
    const history = await collectHistory({ stateDir: state, now: () => Date.now(), queue: async () => [], log: () => {} }, { limit: 0 });
    expect(history.sessions.map((s) => [s.jobId, s.reason])).toContainEqual(['10', 'idle']);
    expect(history.total).toBe(3);
  });

  it('runs at most once a day', () => {
    const state = tmp();
    job(state, '20', RETENTION_MS + DAY);
    expect(pruneEndedJobs(state, Date.now())).toEqual(['20']);
    job(state, '21', RETENTION_MS + DAY);
    expect(pruneEndedJobs(state, Date.now() + 3_600_000)).toEqual([]);
    expect(pruneEndedJobs(state, Date.now() + DAY + 1)).toEqual(['21']);
  });

  it('with the caller\'s word on which jobs are alive (remote cleanup): a contact of an ended job is a leftover, output without a directory goes too', () => {
    const state = tmp();
    job(state, '30', DAY, { live: true }); // Slurm no longer runs it: its contact is left over
    job(state, '31', DAY, { live: true }); // alive
    job(state, '32', 60_000); // too new for these rules
    fs.writeFileSync(path.join(state, 'logs', '33.out'), 'output of a job whose directory is gone\n');
    fs.utimesSync(path.join(state, 'logs', '33.out'), new Date(Date.now() - DAY), new Date(Date.now() - DAY));
    const ids = prunableJobs(state, Date.now(), { retentionMs: 600_000, alive: (id) => id === '31' });
    expect(ids).toEqual(['30', '33']);
    expect(prunableJobs(state, Date.now(), { retentionMs: 600_000 })).toEqual(['33']); // without it, a contact means alive
    for (const id of ids) pruneJob(state, id);
    expect(fs.readdirSync(path.join(state, 'jobs')).sort()).toEqual(['31', '32']);
    expect(fs.readdirSync(path.join(state, 'live', 'cpu'))).toEqual(['31']);
    expect(fs.readdirSync(path.join(state, 'logs')).sort()).toEqual(['31.out', '32.out']);
    expect(readArchive(state).map((a) => a.jobId)).toEqual(['30']); // nothing to keep of 33
  });
});

describe('pruners on several nodes', () => {
  it('take turns: while another holds the prune lock nothing is pruned, and each job is archived once', async () => {
    const state = tmp();
    job(state, '30', RETENTION_MS + DAY);
    const other = tryLock(pruneLock(state));
    expect('release' in other).toBe(true);
    expect(pruneEndedJobs(state)).toEqual([]);
    expect(fs.existsSync(path.join(state, 'jobs', '30'))).toBe(true);
    if ('release' in other) other.release();
    expect(pruneEndedJobs(state)).toEqual(['30']);
    // The stamp, read under the lock: a second pruner the same day does nothing.
    expect(pruneEndedJobs(state)).toEqual([]);
    expect(readArchive(state).map((a) => a.jobId)).toEqual(['30']);
  });
});
