// A login pool (production shape): two login nodes, login and login2, with the
// same home (each through its own caching view, lookups cached 30 s), the same
// Slurm, their own /tmp, hostname and sshd, and login2's clock 7 s ahead.
// Every `ssh` of the laptop may land on either.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterEnv, jobsOf, Laptop, onNode, prepareUser, resetUser, SHAPE, stateOf, waitFor } from '../harness.js';

const USER = 'bob';
const pool = SHAPE === 'production';
let laptop: Laptop;

/** ssh options that send the ProxyCommand of a profile through one login node of the pool. */
const via = (login: 'login' | 'login2', profile: string) => ['-o', `ProxyCommand=ssh -F ${laptop.config} ${login} .local/bin/remote proxy ${profile}`];

describe.skipIf(!pool)('a login pool (production shape: login and login2)', () => {
  beforeAll(async () => {
    laptop = await prepareUser(USER, ['cpu', 'gpu']);
  });
  afterAll(() => laptop?.dispose());
  afterEach(async () => {
    await resetUser(USER);
  });

  it('the two login nodes are two hosts: their own hostname and /tmp, one home, clocks apart', async () => {
    const probe = 'hostname; touch /tmp/pool-probe-$(hostname); ls /tmp | grep -c pool-probe; date +%s';
    const [a, b] = await Promise.all([laptop.ssh(['login', probe]), laptop.ssh(['login2', probe])]);
    const [hostA, seenA, clockA] = String(a.stdout).trim().split('\n');
    const [hostB, seenB, clockB] = String(b.stdout).trim().split('\n');
    expect([hostA, hostB]).toEqual(['login', 'login2']);
    expect([seenA, seenB]).toEqual(['1', '1']); // each sees its own probe file only
    expect(Number(clockB) - Number(clockA)).toBeGreaterThanOrEqual(5);
  });

  it('20 connects at once, split between the two, share one job; all land', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => laptop.ssh([...via(i % 2 ? 'login2' : 'login', 'cpu'), 'slurm-cpu', 'echo "$SLURM_JOB_ID"']));
    const results = await Promise.all(runs);
    for (const r of results) expect(r.exitCode, String(r.stderr)).toBe(0);
    const ids = new Set(results.map((r) => String(r.stdout).trim()));
    expect(ids.size).toBe(1);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([...ids]);
  });

  it('a job made through one login node is reused from the other: nothing submitted, nothing said', async () => {
    const first = await laptop.ssh([...via('login', 'cpu'), 'slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    // The other node looked at the job while it was starting (a cached miss of its contact, as NFS keeps one).
    const warm = await laptop.ssh([...via('login2', 'cpu'), 'slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(warm.exitCode, String(warm.stderr)).toBe(0);
    expect(String(warm.stdout).trim()).toBe(String(first.stdout).trim());
    expect(String(warm.stderr)).toBe('');
  });

  it('list, history and cleanup on login2 see the session relayed by login; cancel there ends it with the reason', async () => {
    const session = laptop.open([...via('login', 'cpu'), 'slurm-cpu', 'echo started; sleep 300'], 'started');
    await session.opened();
    const [job] = await jobsOf(USER);
    const list = await laptop.ssh(['login2', '.local/bin/remote', 'list', '--json']);
    expect(list.exitCode, String(list.stderr)).toBe(0);
    expect(JSON.parse(String(list.stdout))).toMatchObject([{ id: job!.id, profile: 'cpu', state: 'RUNNING', ready: true }]);
    const history = await laptop.ssh(['login2', '.local/bin/remote', 'history']);
    expect(String(history.stdout)).toContain(job!.id);
    const cleanup = await laptop.ssh(['login2', '.local/bin/remote', 'cleanup']);
    expect(cleanup.exitCode, String(cleanup.stderr)).toBe(0);
    expect(fs.existsSync(path.join(stateOf(USER), 'jobs', job!.id, 'contact'))).toBe(true);
    const cancel = await laptop.ssh(['login2', '.local/bin/remote', 'cancel', 'cpu']);
    expect(cancel.exitCode, String(cancel.stderr)).toBe(0);
    const r = await session.ssh;
    expect(String(r.stderr)).toContain(`job ${job!.id}`);
    expect(String(r.stderr)).toContain('the job was cancelled');
  });

  it('swap on login2 moves a session relayed by login: the session ends saying so, "ssh slurm" follows to the new job', async () => {
    const session = laptop.open([...via('login', 'cpu'), 'slurm-cpu', 'echo started; sleep 300'], 'started');
    await session.opened();
    const swap = await laptop.ssh(['login2', '.local/bin/remote', 'swap', 'gpu']);
    expect(swap.exitCode, String(swap.stderr)).toBe(0);
    const r = await session.ssh;
    expect(String(r.stderr)).toContain('remote swap');
    const next = await laptop.ssh([...via('login', '--current'), 'slurm', 'hostname']);
    expect(next.exitCode, String(next.stderr)).toBe(0);
    expect(String(next.stdout).trim()).toBe('c2');
  });

  it('a proxy killed on login while it holds the submission lock does not hold login2 up for minutes', async () => {
    const env = clusterEnv();
    const slurmctld = Number(fs.readFileSync(path.join(env.dir, 'run', 'slurmctld.pid'), 'utf8').split(' ')[0]);
    const lock = path.join(stateOf(USER), 'locks', 'cpu.lock');
    // The controller frozen: the proxy on login takes the lock and waits in squeue.
    process.kill(slurmctld, 'SIGSTOP');
    let t0 = 0;
    try {
      const held = laptop.ssh([...via('login', 'cpu'), 'slurm-cpu', 'true']);
      await waitFor(() => fs.existsSync(lock), 30_000, 'the proxy on login to take the lock');
      const holder = JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number; host: string };
      expect(holder.host).toBe('login');
      const killed = await onNode('login', 'root', ['kill', '-9', String(holder.pid)]);
      expect(killed.exitCode).toBe(0);
      await held;
      t0 = Date.now();
    } finally {
      process.kill(slurmctld, 'SIGCONT');
    }
    const r = await laptop.ssh([...via('login2', 'cpu'), 'slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // The lock of a holder on another host is taken over once its touch has not changed for 15 s.
    expect(Date.now() - t0).toBeLessThan(45_000);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([String(r.stdout).trim()]);
  });

  it('after the jobs end nothing of slurmhop is left on either login node', async () => {
    const r = await laptop.ssh([...via('login2', 'cpu'), 'slurm-cpu', 'true']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    await resetUser(USER);
    for (const login of ['login', 'login2']) {
      await waitFor(async () => {
        const ps = await onNode(login, 'root', ['pgrep', '-u', USER, '-a', '-f', 'remote|dd if|slurmhop']);
        return String(ps.stdout).trim() === '';
      }, 15_000, `no process of ${USER} on ${login}`);
    }
  });
});
