// Why a relayed session ended, from the job's own status events (no cluster).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionContext } from '../../src/session/context.js';
import { whySessionEnded } from '../../src/session/explain-end.js';
import { appendStatus, writeContact } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-explain-');

/** A context whose sleep moves a fake clock; `at` runs something when the clock reaches a time. */
function context(at: Array<[number, () => void]> = [], sshd: { listens: boolean; transport?: 'tcp' | 'srun' | 'node-sshd' } = { listens: false }) {
  const stateDir = tmp();
  fs.mkdirSync(path.join(stateDir, 'jobs', '5'), { recursive: true });
  // An sshd of OpenSSH 8.7 or later: a connect tells its listener alive (listener-probe.test.ts has the older ones).
  writeContact(stateDir, { version: 1, jobId: '5', profile: 'cpu', node: 'c1', port: 1, user: 'u', pid: 1, readyAt: '', sshdVersion: 'OpenSSH_9.2p1', ...(sshd.transport ? { transport: sshd.transport } : {}) });
  let clock = 0;
  const probes: string[] = [];
  const ctx = {
    stateDir,
    connect: async (host: string, port: number) => {
      probes.push(`${host}:${port}`);
      if (!sshd.listens) throw new Error('ECONNREFUSED');
      return { destroy: () => {} };
    },
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
      for (const [t, run] of at) if (clock >= t && clock - ms < t) run();
    },
  } as unknown as SessionContext;
  return { ctx, stateDir, clock: () => clock, probes };
}

const cancelled = (stateDir: string) => () => appendStatus(stateDir, { event: 'ended', jobId: '5', profile: 'cpu', reason: 'cancelled' });

describe('why a session ended', () => {
  it('the client ended it and the job goes on: nothing to say, after a short look (1 s)', async () => {
    const { ctx, clock } = context();
    expect(await whySessionEnded(ctx, { jobId: '5' }, { by: 'client' })).toBeUndefined();
    expect(clock()).toBeLessThanOrEqual(1_100);
  });

  it("an ordinary end, the job's sshd still listening (transport = tcp): nothing to say, at once, whichever side closed first", async () => {
    for (const by of ['client', 'server'] as const) {
      const { ctx, clock, probes } = context([], { listens: true });
      expect(await whySessionEnded(ctx, { jobId: '5' }, { by })).toBeUndefined();
      expect([clock(), probes]).toEqual([0, ['c1:1']]);
    }
  });

  it('srun and node-sshd: the sshd the relay reaches says nothing of the job, so the short look stays', async () => {
    for (const transport of ['srun', 'node-sshd'] as const) {
      const { ctx, clock, probes } = context([], { listens: true, transport });
      expect(await whySessionEnded(ctx, { jobId: '5' }, { by: 'client' })).toBeUndefined();
      expect(probes).toEqual([]);
      expect(clock()).toBeGreaterThanOrEqual(1_000);
    }
  });

  it("the client ended first because the job's end killed its command: the job's reason is still told", async () => {
    const s = context();
    const withEnd = context([[400, cancelled(s.stateDir)]]);
    expect(await whySessionEnded({ ...withEnd.ctx, stateDir: s.stateDir } as SessionContext, { jobId: '5' }, { by: 'client' })).toBe('the job was cancelled');
  });

  it('a swap moved the session: told at once from the mark the swap leaves, before the job has said anything', async () => {
    const { ctx, stateDir, clock } = context();
    fs.writeFileSync(path.join(stateDir, 'jobs', '5', 'swapped'), '6\n');
    expect(await whySessionEnded(ctx, { jobId: '5' }, { by: 'client' })).toBe('the session moved to another job (remote swap)');
    expect(clock()).toBe(0);
  });

  it("the job's side ended it (its sshd log has no goodbye from the client): its listener still there is no ordinary end, and the reason is waited for", async () => {
    // Slurm signals the session's sshd and its listener together: the session's may go first.
    const { stateDir } = context();
    const late = context([[2_500, cancelled(stateDir)]], { listens: true });
    expect(await whySessionEnded({ ...late.ctx, stateDir } as SessionContext, { jobId: '5' }, { by: 'job' })).toBe('the job was cancelled');
    expect(late.probes).toEqual([]);
    // Nothing said within the 3 s: nothing to say (the job goes on; its sshd's session was ended by another hand).
    const quiet = context([], { listens: true });
    expect(await whySessionEnded(quiet.ctx, { jobId: '5' }, { by: 'job' })).toBeUndefined();
    expect(quiet.clock()).toBeGreaterThanOrEqual(3_000);
  });

  it('the server closed it: the reason the job recorded, waited for up to 3 s', async () => {
    const { stateDir } = context();
    const late = context([[2_500, cancelled(stateDir)]]);
    expect(await whySessionEnded({ ...late.ctx, stateDir } as SessionContext, { jobId: '5' }, { by: 'server' })).toBe('the job was cancelled');
    expect(await whySessionEnded(context().ctx, { jobId: '5' }, { by: 'error', error: new Error('reset') })).toBe('connection lost: reset');
  });
});
