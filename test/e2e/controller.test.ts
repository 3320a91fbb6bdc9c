// Faults of the controller: slurmctld frozen (SIGSTOP) while sbatch waits for
// its answer, then let go (SIGCONT). sbatch gives up after its MessageTimeout,
// yet the controller then creates the job: the connect finds it and uses it,
// and nothing is left behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, clusterEnv, homeOf, jobsOf, Laptop, prepareUser, resetUser, waitFor } from './harness.js';

const USER = 'mia';
const GATE = path.join(homeOf(USER), 'gate');
let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER, ['cpu']);
  // sbatch held at a gate until the test has frozen the controller (the real sbatch then runs).
  fs.rmSync(GATE, { recursive: true, force: true });
  fs.mkdirSync(GATE);
  fs.writeFileSync(
    path.join(GATE, 'sbatch'),
    `#!/bin/bash\ntouch ${GATE}/reached\nwhile [ ! -e ${GATE}/go ]; do sleep 0.05; done\nexec /usr/bin/sbatch "$@"\n`,
    { mode: 0o755 },
  );
  chownTree(USER, GATE);
});
afterAll(async () => {
  laptop.dispose();
  fs.rmSync(GATE, { recursive: true, force: true });
  await resetUser(USER);
});

const slurmctld = () => Number(fs.readFileSync(path.join(clusterEnv().dir, 'run', 'slurmctld.pid'), 'utf8').split(' ')[0]);

describe('the controller stops answering in the middle of a submission', () => {
  it('the job it accepted anyway is found and used, no second one is submitted, and the next connect works', async () => {
    const proxy = laptop.ssh(['login', 'env', `PATH=${GATE}:/usr/local/bin:/usr/bin:/bin`, '.local/bin/remote', 'proxy', 'cpu'], { stdin: 'pipe' });
    let stdout = '';
    let stderr = '';
    proxy.stdout!.on('data', (d) => (stdout += d));
    proxy.stderr!.on('data', (d) => (stderr += d));
    const pid = slurmctld();
    try {
      await waitFor(() => fs.existsSync(path.join(GATE, 'reached')), 30_000, 'sbatch to be called');
      process.kill(pid, 'SIGSTOP');
      fs.writeFileSync(path.join(GATE, 'go'), '');
      await waitFor(() => /looking for the job/.test(stderr), 60_000, 'sbatch to give up');
      expect(stderr).toMatch(/sbatch failed: .*Socket timed out/);
      await new Promise((r) => setTimeout(r, 3_000)); // the connect keeps asking a frozen controller
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => stdout.includes('SSH-2.0-'), 90_000, 'the session to be relayed');
    const accepted = /the controller did accept it: job (\d+)/.exec(stderr)?.[1];
    expect(accepted, stderr).toBeDefined();
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([accepted]);
    proxy.stdin!.end();
    await proxy;
    const next = await laptop.ssh(['slurm-cpu', 'echo "$SLURM_JOB_ID"']);
    expect(next.exitCode, String(next.stderr)).toBe(0);
    expect(String(next.stdout).trim()).toBe(accepted);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([accepted]);
  });
});
