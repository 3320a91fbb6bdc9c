// A session's life on the cluster: what it inherits, who may use it, and what
// is left when its job ends (cancelled, time limit, a signal while waiting).
import { execa } from 'execa';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { installRemote, jobsOf, Laptop, onNode, PROFILES, resetUser, stateOf, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';
import { expectJobEndSaid, SSH_DEBUG } from './job-end-said.js';

const USER = 'eve';
const WITH_SETUP = `${PROFILES}
[profile.setup]
partition = interactive
env_setup = export SLURMHOP_TEST_SETUP="from env_setup"; export PATH="$HOME/tools/bin:$PATH"

[profile.short]
partition = interactive
time = 1

[profile.idle]
partition = interactive
idle_timeout = 3
`;
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, WITH_SETUP);
  await resetUser(USER);
  laptop = new Laptop(USER, ['cpu', 'gpu', 'setup', 'short', 'idle']);
  await laptop.pinHostKey();
});

afterAll(() => laptop.dispose());

afterEach(async () => {
  writeConfig(USER, WITH_SETUP);
  await resetUser(USER);
});

const statusEvents = (jobId: string) =>
  fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('the session environment', () => {
  it('has what env_setup left, and the job\'s SLURM_* variables', async () => {
    const r = await laptop.ssh(['slurm-setup', 'echo "$SLURMHOP_TEST_SETUP|$SLURM_JOB_NAME|$SLURM_JOB_PARTITION"; case ":$PATH:" in *:$HOME/tools/bin:*) echo path-ok;; esac']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['from env_setup|slurmhop-setup|interactive', 'path-ok']);
  });
});

describe('when the job ends', () => {
  it('scancel: the contact file is removed and the status says cancelled', async () => {
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${job!.id}/contact`)).toBe(true);
    await onNode('login', USER, ['scancel', job!.id]);
    await waitFor(() => !fs.existsSync(`${stateOf(USER)}/jobs/${job!.id}/contact`), 15_000, 'the contact file to go');
    expect(statusEvents(job!.id).at(-1)).toMatchObject({ event: 'ended', reason: 'cancelled' });
  });

  itOnceOnBookworm('the time limit: the open session ends with the reason, and the status says time-limit', async () => {
    const { ssh, opened } = laptop.open([...SSH_DEBUG, 'slurm-short', 'echo started; sleep 300'], 'started');
    await opened();
    const [job] = await jobsOf(USER);
    const r = await ssh; // a 1-minute limit; Slurm enforces it within about 30 s more
    expect(r.exitCode).not.toBe(0);
    expectJobEndSaid(String(r.stderr), job!.id, 'the job reached its time limit');
    expect(statusEvents(job!.id).at(-1)).toMatchObject({ event: 'ended', reason: 'time-limit' });
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${job!.id}/contact`)).toBe(false);
  }, 200_000);
});

describe('idle reclaim', () => {
  it('a job with idle_timeout ends after its last connection closes, not while one is open', async () => {
    const { ssh: open, opened } = laptop.open(['slurm-idle', 'echo started; sleep 9'], 'started');
    await opened();
    const [job] = await jobsOf(USER);
    expect((await open).exitCode).toBe(0); // 9 s open: three idle periods, and the job stayed
    await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the idle job to end');
    expect(statusEvents(job!.id).at(-1)).toMatchObject({ event: 'ended', reason: 'idle' });
  });
});

describe('a signal while waiting', () => {
  it('SIGTERM to the waiting proxy cancels the job it submitted and exits 7', async () => {
    const block = await onNode('login', 'bob', ['sbatch', '--parsable', '-p', 'gpu', '--exclusive', '-J', 'blocker', '-o', '/dev/null', '--wrap', 'sleep 600']);
    try {
      const proxy = laptop.remote(['proxy', 'gpu'], { stdin: 'pipe' });
      await waitFor(async () => (await jobsOf(USER)).length === 1, 20_000, 'the gpu job to be queued');
      await execa('pkill', ['-TERM', '-u', USER, '-f', 'remote proxy gpu']);
      const r = await proxy;
      expect(r.exitCode).toBe(7);
      expect(String(r.stderr)).toMatch(/cancelled job \d+: stopped waiting: received SIGTERM/);
      await waitFor(async () => (await jobsOf(USER)).length === 0, 15_000, 'the job to be cancelled');
    } finally {
      await onNode('login', 'root', ['scancel', String(block.stdout).trim()]);
    }
  });
});

describe('who may use the session', () => {
  it('another user reaches the port, but neither their key nor their name gets in', async () => {
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    const contact = JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${job!.id}/contact`, 'utf8'));
    const bob = new Laptop('bob');
    onTestFinished(() => bob.dispose());
    const viaLogin = `ProxyCommand=ssh -F ${bob.config} login nc ${contact.node} ${contact.port}`;
    const common = ['-F', bob.config, '-o', viaLogin, '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${bob.dir}/any`];
    for (const name of [USER, 'bob']) {
      const r = await execa('ssh', [...common, '-o', `User=${name}`, 'slurm-cpu', 'echo got-in'], { reject: false });
      expect(r.exitCode, `${name}: ${r.stderr}`).toBe(255);
      expect(String(r.stdout)).not.toContain('got-in');
      expect(String(r.stderr)).toContain('Permission denied (publickey)');
    }
  });
});
