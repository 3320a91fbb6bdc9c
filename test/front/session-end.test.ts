// The end of a session the front relays: an ordinary end closes the client's
// pipes without starting Node (the job's files say nothing new and its sshd
// still listens); any other end is explained by the executable, as before
// (`remote session-ended`, here its recording stand-in: test/front/world.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendStatus } from '../../src/state/index.js';
import { listenerWithPendingSigterm } from '../helpers/tcp-server.js';
import { tempDirs } from '../helpers/tmp.js';
import { jobBanner, makeWorld, runFront, runningJob, sshd, updateState } from './world.js';

const tmp = tempDirs('slurmhop-front-end-');

async function session(sshdVersion?: string | null) {
  const world = makeWorld(tmp());
  const server = await sshd(jobBanner('12'));
  runningJob(world, { job: '12', port: server.port, sshdVersion });
  updateState(world, 'never');
  const since = String(fs.statSync(path.join(world.state, 'jobs/12/status')).size);
  return { world, server, since };
}

const ended = (world: ReturnType<typeof makeWorld>) => world.handedOver().filter((h) => h.args[0] === 'session-ended').map((h) => h.args);

describe('how a session through the front ends', () => {
  it('the client ends it and the job goes on: nothing is said and Node is not started', async () => {
    const { world } = await session();
    const r = await runFront(world, ['proxy', 'cpu']);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(world.handedOver()).toEqual([]);
  });

  it("the server answers the client's disconnect first and the client goes a moment later (an ordinary end's race): nothing is said, Node is not started", async () => {
    const { world, server } = await session();
    const r = await runFront(world, ['proxy', 'cpu'], { during: async () => {
      server.sockets[0]!.end();
      await new Promise((resolve) => setTimeout(resolve, 40));
    } });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(world.handedOver()).toEqual([]);
  });

  it("the server closes first and the client stays (a job's end: the client waits for the relay): the executable looks closer, even where the job's sshd still answers", async () => {
    const { world, server, since } = await session();
    await runFront(world, ['proxy', 'cpu'], { keepInput: true, during: () => void server.sockets[0]!.end() });
    expect(ended(world)).toEqual([['session-ended', '12', 'server', since]]);
  });

  it.each([
    ['the job ended', (d: string) => appendStatus(d, { event: 'ended', jobId: '12', profile: 'cpu', reason: 'cancelled' })],
    ['the kernel killed a process of the job for its memory', (d: string) => appendStatus(d, { event: 'memory-killed', jobId: '12', profile: 'cpu', kills: 1 })],
    ['a swap moved the session', (d: string) => fs.writeFileSync(path.join(d, 'jobs/12/swapped'), '13\n')],
    ['the contact is gone', (d: string) => fs.rmSync(path.join(d, 'jobs/12/contact'))],
  ])('%s during the session: the executable says why (session-ended, with the status size at the start)', async (_, change) => {
    const { world, since } = await session();
    const r = await runFront(world, ['proxy', 'cpu'], { during: () => change(world.state) });
    expect(ended(world)).toEqual([['session-ended', '12', 'client', since]]);
    expect(r.exitCode).toBe(99);
  });

  it('a swap closes the session from the server side and the client goes at once: the executable says why as the server\'s end, without waiting for the client\'s', async () => {
    const { world, server, since } = await session();
    const r = await runFront(world, ['proxy', 'cpu'], { during: async () => {
      fs.writeFileSync(path.join(world.state, 'jobs/12/swapped'), '13\n');
      server.sockets[0]!.end();
      await new Promise((resolve) => setTimeout(resolve, 40));
    } });
    expect(ended(world)).toEqual([['session-ended', '12', 'server', since]]);
    expect(r.exitCode).toBe(99);
  });

  it("the job's sshd no longer listens at the end: the executable looks closer", async () => {
    const { world, server } = await session();
    await runFront(world, ['proxy', 'cpu'], { during: () => server.stop() });
    expect(ended(world).map((a) => a.slice(0, 2))).toEqual([['session-ended', '12']]);
  });

  // OpenSSH before 8.7 may sleep through Slurm's SIGTERM with its listening socket open
  // (listener-probe.ts); then a connect alone would call a job's end ordinary.
  it.each([['OpenSSH_8.4p1'], [null]])("the job's sshd (%s) took its SIGTERM asleep, and the client ended first: the executable looks closer", async (version) => {
    const { world, server } = await session(version);
    const r = await runFront(world, ['proxy', 'cpu'], { during: async () => {
      await server.closeListener();
      await listenerWithPendingSigterm(server.port);
    } });
    expect(ended(world).map((a) => a.slice(0, 3))).toEqual([['session-ended', '12', 'client']]);
    expect([r.exitCode, r.stderr]).toEqual([99, '']); // the reset connect's read says nothing of its own
  });

  it("an sshd before OpenSSH 8.7 still listening: the job's banner answers the look, and nothing is said", async () => {
    const { world } = await session('OpenSSH_8.4p1');
    const r = await runFront(world, ['proxy', 'cpu']);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(world.handedOver()).toEqual([]);
  });

  it('a connection reset is the executable\'s to explain, as lost', async () => {
    const { world, server } = await session();
    // The client stays (its input open): the reset is what ends the session.
    await runFront(world, ['proxy', 'cpu'], { keepInput: true, during: () => void server.sockets[0]!.resetAndDestroy() });
    expect(ended(world).map((a) => a.slice(0, 3))).toEqual([['session-ended', '12', 'lost']]);
  });
});
