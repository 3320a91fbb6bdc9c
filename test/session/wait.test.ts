// The wait loop's decisions, with a fake scheduler and clock (no cluster).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { SessionContext } from '../../src/session/context.js';
import { appendStatus, writeContact } from '../../src/state/index.js';
import { JobFailedError, waitUntilReady } from '../../src/session/wait.js';
import type { LogEvent } from '../../src/log.js';
import type { RunResult } from '../../src/slurm/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-wait-');
const profile = [...parseConfig('[profile.cpu]\npending_timeout = 5\nstart_timeout = 3\n', 'c.ini').values()][0]!;

/** `states` are what squeue answers, one per query (the last repeats); 'fail' is a failing squeue. */
function fakeContext(states: Array<string | 'fail' | 'gone'>, onQuery: (n: number, state: string) => void = () => {}) {
  const stateDir = tmp();
  fs.mkdirSync(path.join(stateDir, 'jobs', '7'), { recursive: true });
  let clock = 0;
  let queries = 0;
  const events: LogEvent[] = [];
  const ctx: SessionContext = {
    run: async (command): Promise<RunResult> => {
      expect(command).toBe('squeue');
      const state = states[Math.min(queries, states.length - 1)]!;
      onQuery(queries++, state);
      if (state === 'fail') return { stdout: '', stderr: 'slurm_load_jobs error: Socket timed out', exitCode: 1 };
      if (state === 'gone') return { stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified', exitCode: 1 };
      return { stdout: `7|slurmhop-cpu|${state}|c1|N/A|0:01|1:00:00|59:59|p|N/A|${state === 'PENDING' ? 'Resources' : 'None'}`, stderr: '', exitCode: 0 };
    },
    log: (e) => events.push(e),
    user: 'ada',
    home: '/home/ada',
    stateDir,
    remoteCommand: ['remote'],
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    connect: async () => {
      throw new Error('not used');
    },
    relayProgram: () => undefined,
  };
  return { ctx, events, queries: () => queries, stateDir };
}

const job = { jobId: '7', submittedByUs: true };

/** What the job does once its sshd answers (job/run.ts): the contact, then the ready event that carries it. */
function announceReady(stateDir: string, node: string, port: number): void {
  const contact = { version: 1, jobId: '7', profile: 'cpu', node, port, user: 'ada', pid: 1, readyAt: '' };
  writeContact(stateDir, contact);
  appendStatus(stateDir, { event: 'ready', jobId: '7', profile: 'cpu', node, port, contact });
}
const never = new AbortController().signal;

describe('waiting for a job', () => {
  it('returns the contact as soon as the job announces it', async () => {
    const { ctx, stateDir } = fakeContext(['PENDING', 'RUNNING'], (n) => {
      if (n === 1) announceReady(stateDir, 'c1', 4000);
    });
    expect(await waitUntilReady(ctx, profile, job, never)).toMatchObject({ node: 'c1', port: 4000 });
  });

  it('the ready event alone is enough: a contact file this host cannot see yet (a network home) does not hold the wait', async () => {
    const { ctx, stateDir } = fakeContext(['RUNNING'], (n) => {
      const contact = { version: 1, jobId: '7', profile: 'cpu', node: 'c2', port: 4100, user: 'ada', pid: 1, readyAt: '' };
      if (n === 1) appendStatus(stateDir, { event: 'ready', jobId: '7', profile: 'cpu', node: 'c2', port: 4100, contact });
    });
    expect(await waitUntilReady(ctx, profile, job, never)).toMatchObject({ node: 'c2', port: 4100 });
    expect(fs.existsSync(path.join(stateDir, 'jobs', '7', 'contact'))).toBe(false);
  });

  it('makes the names it polls before the first look (status, the job output), truncating nothing', async () => {
    const { ctx, stateDir } = fakeContext(['RUNNING'], (n) => {
      if (n === 0) {
        expect(fs.statSync(path.join(stateDir, 'jobs', '7', 'status')).size).toBe(0);
        expect(fs.readFileSync(path.join(stateDir, 'logs', '7.out'), 'utf8')).toBe('early output\n');
        announceReady(stateDir, 'c1', 4000);
      }
    });
    fs.mkdirSync(path.join(stateDir, 'logs'));
    fs.writeFileSync(path.join(stateDir, 'logs', '7.out'), 'early output\n');
    await waitUntilReady(ctx, profile, job, never);
    expect((fs.statSync(path.join(stateDir, 'jobs', '7', 'status')).mode & 0o777).toString(8)).toBe('600');
  });

  it('Slurm says the job is over before the job said why: its own word, arriving a moment later, is the one reported', async () => {
    const { ctx, stateDir } = fakeContext(['RUNNING', 'COMPLETING']);
    let saidAt: number | undefined;
    const sleep = ctx.sleep;
    ctx.sleep = async (ms) => {
      await sleep(ms);
      // The end event reaches this host 500 ms after squeue first answered COMPLETING.
      if (saidAt === undefined && ctx.now() > 1_500) saidAt = ctx.now() + 500;
      if (saidAt !== undefined && ctx.now() >= saidAt && !fs.existsSync(path.join(stateDir, 'jobs', '7', 'ended'))) {
        fs.writeFileSync(path.join(stateDir, 'jobs', '7', 'ended'), '');
        appendStatus(stateDir, { event: 'ended', jobId: '7', profile: 'cpu', reason: 'cancelled' });
      }
    };
    await expect(waitUntilReady(ctx, profile, job, never)).rejects.toThrow(/failed before its sshd was ready: the job was cancelled/);
  });

  it('asks the scheduler at most once a second, backing off', async () => {
    const { ctx, queries } = fakeContext(['PENDING']);
    await expect(waitUntilReady(ctx, profile, job, never)).rejects.toMatchObject({ kind: 'pending-timeout' });
    // 5 s of pending: queries at 0, 1.5, 3.75 s (then 7.1 s is past the timeout)
    expect(queries()).toBeLessThanOrEqual(4);
    expect(queries()).toBeGreaterThanOrEqual(3);
  });

  it('gives up at pending_timeout itself, not at the next backed-off poll (20 s, not 29.8 s)', async () => {
    const twenty = [...parseConfig('[profile.cpu]\npending_timeout = 20\n', 'c.ini').values()][0]!;
    const { ctx } = fakeContext(['PENDING']);
    await expect(waitUntilReady(ctx, twenty, job, never)).rejects.toMatchObject({ kind: 'pending-timeout' });
    expect(ctx.now()).toBeGreaterThanOrEqual(20_000);
    expect(ctx.now()).toBeLessThan(20_100);
  });

  it('a job that started just before the timeout is not given up: the last answer decides', async () => {
    const twenty = [...parseConfig('[profile.cpu]\npending_timeout = 20\nstart_timeout = 60\n', 'c.ini').values()][0]!;
    let clockAtQuery = 0;
    const { ctx, stateDir } = fakeContext(['PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING', 'PENDING', 'RUNNING'], (n) => {
      clockAtQuery = n;
      if (n === 7) announceReady(stateDir, 'c1', 4000);
    });
    expect(await waitUntilReady(ctx, twenty, job, never)).toMatchObject({ port: 4000 });
    expect(clockAtQuery).toBe(7);
  });

  it('prints one progress line per change of state', async () => {
    const { ctx, events } = fakeContext(['PENDING', 'PENDING', 'RUNNING'], () => {});
    await expect(waitUntilReady(ctx, profile, job, never)).rejects.toBeInstanceOf(JobFailedError);
    const waiting = events.filter((e) => e.type === 'waiting').map((e) => (e as { state: string }).state);
    expect(waiting[0]).toBe('PENDING');
    expect(waiting).toContain('RUNNING');
  });

  it('start_timeout counts from RUNNING only, not CONFIGURING (nodes may be booting)', async () => {
    const states = ['CONFIGURING', 'CONFIGURING', 'CONFIGURING', 'CONFIGURING'];
    const { ctx } = fakeContext(states);
    // Stays CONFIGURING: only the pending timeout may end it, never start_timeout.
    const err = await waitUntilReady(ctx, profile, job, never).catch((e) => e);
    expect(err.kind).toBe('pending-timeout');
  });

  it('a job running without a contact past start_timeout fails, marked as still running (to be cancelled)', async () => {
    const { ctx } = fakeContext(['RUNNING']);
    const err = await waitUntilReady(ctx, profile, job, never).catch((e) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.stillRunning).toBe(true);
    expect(err.message).toContain('not ready 3s after the job started');
  });

  it('the job\'s own "ended" record fails the wait at once, with the job output', async () => {
    const { ctx, stateDir } = fakeContext(['RUNNING']);
    fs.mkdirSync(path.join(stateDir, 'logs'));
    fs.writeFileSync(path.join(stateDir, 'logs', '7.out'), 'sshd: fatal: something\n');
    appendStatus(stateDir, { event: 'ended', jobId: '7', profile: 'cpu', reason: 'sshd-failed', detail: 'no sshd' });
    const err = await waitUntilReady(ctx, profile, job, never).catch((e) => e);
    expect(err.stillRunning).toBe(false);
    expect(err.message).toContain('sshd could not start in the job (no sshd)');
    expect(err.message).toContain('sshd: fatal: something');
  });

  it('a job Slurm has forgotten or finished fails, not still running', async () => {
    for (const state of ['gone', 'FAILED']) {
      const { ctx } = fakeContext([state]);
      const err = await waitUntilReady(ctx, profile, job, never).catch((e) => e);
      expect(err).toBeInstanceOf(JobFailedError);
      expect(err.stillRunning).toBe(false);
    }
  });

  it('a failing squeue is a warning, said once, and the wait goes on', async () => {
    const { ctx, events, stateDir } = fakeContext(['fail', 'fail', 'fail', 'RUNNING'], (n) => {
      if (n === 3) announceReady(stateDir, 'c2', 1);
    });
    expect(await waitUntilReady(ctx, profile, job, never)).toMatchObject({ node: 'c2' });
    expect(events.filter((e) => e.type === 'warn')).toHaveLength(1);
  });

  it('an abort (signal, client gone) ends the wait with its reason', async () => {
    const { ctx } = fakeContext(['PENDING']);
    const controller = new AbortController();
    controller.abort(new Error('stopped waiting: received SIGINT'));
    await expect(waitUntilReady(ctx, profile, job, controller.signal)).rejects.toThrow('received SIGINT');
  });
});
