import { afterEach, describe, expect, it, vi } from 'vitest';
import { historyCommandWith } from '../../src/cli/commands/history.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/main.js';
import type { HistoryDeps } from '../../src/history/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { endedSession, writeJob } from './fake-state.js';
import { captureOutput } from '../helpers/capture.js';
import { at, BASE, inUtc } from './time.js';

const tmp = tempDirs('slurmhop-history-cli-');

inUtc();
afterEach(() => vi.restoreAllMocks());

const capture = captureOutput;

function command(state: string, queue: HistoryDeps['queue'] = async () => []) {
  const deps: HistoryDeps = { stateDir: state, now: () => BASE + 3600_000, queue, log: () => {} };
  return [historyCommandWith(() => deps)];
}

describe('remote history on the command line', () => {
  it('--json: the sessions with ISO times and raw reasons, the total, and whether Slurm answered', async () => {
    const state = tmp();
    writeJob(state, '8', endedSession(at, 0, 'idle'));
    writeJob(state, '9', { submitted: at(100) });
    const io = capture();
    expect(await runCli(['history', '--json'], command(state))).toBe(EXIT.ok);
    const json = JSON.parse(io.out());
    expect(Object.keys(json)).toEqual(['sessions', 'total', 'slurm']);
    expect(json.total).toBe(2);
    expect(json.slurm).toEqual({ asked: true, error: null });
    expect(json.sessions.map((s: { jobId: string }) => s.jobId)).toEqual(['9', '8']);
    expect(Object.keys(json.sessions[1])).toEqual([
      'jobId', 'profile', 'node', 'submittedAt', 'startedAt', 'readyAt', 'endedAt', 'durationSeconds', 'state', 'reason', 'detail', 'why', 'memoryKills', 'slurmState', 'output', 'renews', 'renewedBy', 'renewal',
    ]);
    expect(json.sessions[1]).toMatchObject({ state: 'ended', reason: 'idle', endedAt: at(65), durationSeconds: 60 });
    expect(json.sessions[0]).toMatchObject({ state: 'never-started', reason: null, startedAt: null, durationSeconds: null });
  });

  it('the table, with a note when --limit hides older sessions', async () => {
    const state = tmp();
    for (let i = 0; i < 3; i++) writeJob(state, String(20 + i), endedSession(at, i * 100, 'cancelled'));
    const io = capture();
    expect(await runCli(['history', '--limit', '2'], command(state))).toBe(EXIT.ok);
    expect(io.out()).toBe(
      [
        'JOBID  PROFILE  NODE  SUBMITTED            STARTED   ENDED     DURATION  OUTCOME',
        '22     cpu      c1    2025-03-04 10:03:20  10:03:25  10:04:25  1m00s     cancelled',
        '21     cpu      c1    2025-03-04 10:01:40  10:01:45  10:02:45  1m00s     cancelled',
        '(the newest 2 of 3; --limit 0 shows all)',
        '',
      ].join('\n'),
    );
  });

  it('no sessions yet', async () => {
    const io = capture();
    expect(await runCli(['history'], command(tmp()))).toBe(EXIT.ok);
    expect(io.out()).toContain('no sessions yet');
  });

  it('refuses a --limit that is not a number, and arguments', async () => {
    const io = capture();
    expect(await runCli(['history', '--limit', 'ten'], command(tmp()))).toBe(EXIT.usage);
    expect(await runCli(['history', 'cpu'], command(tmp()))).toBe(EXIT.usage);
    expect(io.err()).toContain('--limit wants a number of sessions, not "ten"');
  });
});
