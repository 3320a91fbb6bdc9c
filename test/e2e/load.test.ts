// Many connects at once from one user with no job yet (VS Code opens several
// per window): 25 on cpu and 25 on gpu. Every one must land, in exactly one
// job per profile, and the job's sshd must turn none of them away.
import fs from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Laptop, jobsOf, prepareUser, resetUser, stateOf } from './harness.js';

const USER = 'ned';
let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER, ['cpu', 'gpu']);
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});

describe('50 simultaneous connects on two profiles', () => {
  it('all land, in one job per profile, and no job sshd drops a connection', async () => {
    const runs = await Promise.all(
      ['cpu', 'gpu'].flatMap((profile) =>
        Array.from({ length: 25 }, () =>
          execa('ssh', ['-F', laptop.config, '-o', 'ConnectTimeout=90', `slurm-${profile}`, 'echo "$SLURM_JOB_ID"'], { reject: false, stdin: 'ignore' }),
        ),
      ),
    );
    const failures = runs.filter((r) => r.exitCode !== 0).map((r) => String(r.stderr).trim().split('\n').slice(-3).join(' | '));
    expect(failures).toEqual([]);
    const jobs = await jobsOf(USER);
    expect(jobs.map((j) => j.name).sort()).toEqual(['slurmhop-cpu', 'slurmhop-gpu']);
    // Each connect landed in its profile's one job.
    const landed = new Set(runs.map((r) => String(r.stdout).trim()));
    expect([...landed].sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const job of jobs) expect(fs.readFileSync(`${stateOf(USER)}/jobs/${job.id}/sshd.log`, 'utf8')).not.toMatch(/past MaxStartups/);
  });
});
