// A home whose lookups each node caches for 30 s, found and missing, as NFS
// clients do, and the limits login nodes set on ssh sessions (production shape).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, clusterEnv, homeOf, homeSettled, jobsOf, Laptop, PROFILES, prepareUser, resetUser, SHAPE, stateOf, waitFor } from '../harness.js';

const USER = 'ned';
const production = SHAPE === 'production';
const SLOW_SSHD = path.join(homeOf(USER), 'slow-sshd');
const CONFIG = `${PROFILES}
[profile.slow]
partition = interactive
sshd = ${SLOW_SSHD}
start_timeout = 60
`;
let laptop: Laptop;

const events = (jobId: string) =>
  fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/status`, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; at: string; reason?: string });

describe.skipIf(!production)('a caching home (production shape: every node caches lookups for 30 s)', () => {
  beforeAll(async () => {
    laptop = await prepareUser(USER, ['cpu', 'slow'], CONFIG);
    // An sshd that takes a few seconds to start: the job runs, and the connect waits, meanwhile.
    fs.writeFileSync(SLOW_SSHD, '#!/bin/sh\ncase " $* " in *" -t "*) ;; *) sleep 6 ;; esac\nexec /usr/sbin/sshd "$@"\n', { mode: 0o755 });
    chownTree(USER, SLOW_SSHD);
    homeSettled();
  });
  afterAll(async () => {
    laptop?.dispose();
    fs.rmSync(SLOW_SSHD, { force: true });
    await resetUser(USER);
  });
  afterEach(async () => {
    await resetUser(USER);
  });

  it('the home really caches: a name one node looked up while missing stays missing there after another node created it', async () => {
    const name = `.cache-probe-${Date.now()}`;
    const look = await laptop.ssh(['login2', `test -e ${name} && echo found || echo missing`]);
    expect(String(look.stdout).trim()).toBe('missing');
    const made = await laptop.ssh(['login', `touch ${name}`]);
    expect(made.exitCode).toBe(0);
    const again = await laptop.ssh(['login2', `test -e ${name} && echo found || echo missing`]);
    expect(String(again.stdout).trim()).toBe('missing');
    fs.rmSync(path.join(homeOf(USER), name), { force: true });
  });

  it('a cold connect lands right after its job\'s sshd is ready, well inside the 30 s the home caches a miss', async () => {
    let landed = 0;
    const session = laptop.open(['slurm-slow', 'echo landed; sleep 2'], 'landed');
    await session.opened();
    landed = Date.now();
    const r = await session.ssh;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [job] = /submitted job (\d+)/.exec(String(r.stderr))!.slice(1);
    const ready = events(job!).find((e) => e.event === 'ready')!;
    // The job's sshd took 6 s to start: the login node looked for the job's files long before they existed.
    expect(landed - Date.parse(ready.at), String(r.stderr)).toBeLessThan(10_000);
  });

  it('a job cancelled while its connect waits is reported as cancelled, with the job\'s own word', async () => {
    const proxy = laptop.ssh(['slurm-slow', 'true']);
    await waitFor(async () => (await jobsOf(USER)).some((j) => j.state === 'RUNNING'), 30_000, 'the job to run');
    const [job] = await jobsOf(USER);
    await waitFor(() => fs.existsSync(`${stateOf(USER)}/jobs/${job!.id}/status`) && events(job!.id).some((e) => e.event === 'started'), 30_000, 'the job to start');
    await laptop.remote(['cancel', job!.id]);
    const r = await proxy;
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain(`job ${job!.id} failed before its sshd was ready: the job was cancelled`);
    expect(String(r.stderr)).not.toContain('Slurm no longer knows the job');
  });
});

describe.skipIf(!production)('the limits login nodes set (production shape: pam_limits, ulimit -v 1 GiB, -n 256)', () => {
  beforeAll(async () => {
    laptop = await prepareUser(USER, ['cpu'], CONFIG);
  });
  afterAll(async () => {
    laptop?.dispose();
    await resetUser(USER);
  });

  it('every ssh session on either login node runs under them', async () => {
    for (const login of ['login', 'login2']) {
      const r = await laptop.ssh([login, 'ulimit -S -v; ulimit -S -n']);
      expect(String(r.stdout).trim().split('\n')).toEqual(['1048576', '256']);
    }
  });

  it('cold and warm connects and the login node\'s commands work under them', async () => {
    const cold = await laptop.ssh(['slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(cold.exitCode, String(cold.stderr)).toBe(0);
    const warm = await laptop.ssh(['slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(String(warm.stdout)).toBe(String(cold.stdout));
    for (const command of [['list'], ['history'], ['doctor'], ['--version'], ['help'], ['hostkey']]) {
      const r = await laptop.remote(command);
      expect(r.exitCode, `remote ${command.join(' ')}: ${String(r.stderr)}`).toBe(0);
    }
    // The job gets the compute node's limits, not the login node's (sbatch --propagate=NONE).
    const limits = await laptop.ssh(['slurm-cpu', 'ulimit -S -v']);
    expect(String(limits.stdout).trim()).toBe('unlimited');
  });

  it('a limit too low to run says which and what to ask for (exit 13), instead of aborting', async () => {
    const r = await laptop.ssh(['login', 'ulimit -S -v 300000; .local/bin/remote list']);
    expect(r.exitCode).toBe(13);
    expect(String(r.stderr)).toContain('limits the address space of your session to 292 MiB (ulimit -v 300000)');
    expect(String(r.stderr)).toContain('ask your site');
    expect(clusterEnv().shape).toBe('production');
  });
});
