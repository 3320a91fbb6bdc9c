// What goes wrong, through the real chain: every failure is said on stderr,
// has its documented exit code, and leaves no job behind.
import { execa } from 'execa';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { descendantsOf, processTable, titleOf } from '../../src/job/procs.js';
import { configOf, installRemote, jobsOf, Laptop, onNode, PROFILES, resetUser, stateOf, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';
import { expectJobEndSaid, SSH_DEBUG } from './job-end-said.js';
import { lateClientEnd } from './late-client.js';

const USER = 'cyd';
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  await resetUser(USER);
  laptop = new Laptop(USER, ['cpu', 'gpu', 'broken']);
  await laptop.pinHostKey();
});

afterAll(() => laptop.dispose());

afterEach(async () => {
  writeConfig(USER, PROFILES);
  await resetUser(USER);
});

/** bob takes the only GPU node whole, so a gpu job has to wait. */
async function occupyGpuPartition(): Promise<() => Promise<void>> {
  const r = await onNode('login', 'bob', ['sbatch', '--parsable', '-p', 'gpu', '--exclusive', '-J', 'blocker', '-o', '/dev/null', '--wrap', 'sleep 600']);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const id = String(r.stdout).trim();
  const release = async () => void (await onNode('login', 'root', ['scancel', id]));
  try {
    await waitFor(async () => (await jobsOf('bob')).some((j) => j.id === id && j.state === 'RUNNING'), 20_000, 'the blocker to run');
  } catch (err) {
    await release();
    throw err;
  }
  return release;
}

describe('a busy partition', () => {
  it('pending_timeout: says so, cancels the job it submitted, exits 5', async () => {
    writeConfig(USER, `${PROFILES}pending_timeout = 3\n`);
    const release = await occupyGpuPartition();
    try {
      // Called directly on the login node (stdin kept open, as ssh does) to see the exit code.
      const r = await laptop.remote(['proxy', 'gpu'], { stdin: 'pipe' });
      expect(r.exitCode).toBe(5);
      expect(String(r.stderr)).toMatch(/job \d+ PENDING \((Resources|Priority)\)/);
      expect(String(r.stderr)).toMatch(/still pending after 3s/);
      expect(String(r.stderr)).toMatch(/cancelled job \d+/);
      expect(r.stdout).toBe('');
      await waitFor(async () => (await jobsOf(USER)).length === 0, 15_000, 'no job left');
    } finally {
      await release();
    }
  });

  itOnceOnBookworm('ssh killed while the job is pending: the job it submitted is cancelled', async () => {
    const release = await occupyGpuPartition();
    try {
      const ssh = laptop.ssh(['slurm-gpu', 'true']);
      await waitFor(async () => (await jobsOf(USER)).length === 1, 20_000, 'the gpu job to be queued');
      ssh.kill('SIGTERM');
      await ssh;
      await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the pending job to be cancelled');
    } finally {
      await release();
    }
  });

  itOnceOnBookworm('a reused pending job is never cancelled by a proxy that gives up', async () => {
    writeConfig(USER, `${PROFILES}pending_timeout = 2\n`);
    const release = await occupyGpuPartition();
    try {
      const first = await onNode('login', USER, ['sbatch', '--parsable', '-p', 'gpu', '--gres=gpu:1', '-J', 'slurmhop-gpu', '-o', '/dev/null', '--wrap', 'sleep 60']);
      const id = String(first.stdout).trim();
      const r = await laptop.remote(['proxy', 'gpu'], { stdin: 'pipe' });
      expect(r.exitCode).toBe(5);
      expect(String(r.stderr)).toContain(`reusing your pending job ${id}`);
      expect(String(r.stderr)).not.toContain('cancelled job');
      expect((await jobsOf(USER)).map((j) => j.id)).toEqual([id]);
    } finally {
      await release();
    }
  });
});

describe('a session whose job ends', () => {
  it('scancel under an open session: ssh ends, and stderr says why', () => scancelUnderOpenSession([]));
});

/**
 * Cancels the job under an open session: ssh must end within seconds, saying why (job-end-said.ts has the one exception).
 * `sessionSshdFirst`: the session's own sshd gets its SIGTERM 0.2 s before the cancel, as Slurm's signal may
 * reach it before the job's `remote job` writes why and before the job's sshd listener goes (the race, stretched).
 */
async function scancelUnderOpenSession(sshOptions: string[], { sessionSshdFirst = false } = {}): Promise<void> {
  const { ssh, opened } = laptop.open([...SSH_DEBUG, ...sshOptions, 'slurm-cpu', 'echo started; sleep 120'], 'started');
  await opened();
  const [job] = await jobsOf(USER);
  if (sessionSshdFirst) {
    const session = sessionSshd(job!.id);
    // Its command, orphaned by that kill, would leave the job's tracking (proctrack/linuxproc follows parents) and outlive it.
    const command = descendantsOf(processTable(), session);
    process.kill(session, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of command) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  const t0 = Date.now();
  await onNode('login', USER, ['scancel', job!.id]);
  const r = await ssh;
  expect(Date.now() - t0).toBeLessThan(15_000);
  expect(r.exitCode).not.toBe(0);
  const dir = `${stateOf(USER)}/jobs/${job!.id}`;
  const out = `${stateOf(USER)}/logs/${job!.id}.out`;
  const files = [...(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `${dir}/${f}`) : []), out]
    .filter((f) => fs.existsSync(f) && fs.statSync(f).isFile())
    .map((f) => `--- ${f}\n${fs.readFileSync(f, 'utf8')}`)
    .join('\n');
  expectJobEndSaid(String(r.stderr), job!.id, 'the job was cancelled', files);
  expect(fs.readFileSync(`${dir}/status`, 'utf8')).toContain('"reason":"cancelled"');
}

/** The pid of the one session's sshd in the job: the child of its sshd listener, itself the child of `remote job` (this machine has one pid space). */
function sessionSshd(jobId: string): number {
  const contact = JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/contact`, 'utf8')) as { pid: number };
  const table = processTable();
  const children = (ppid: number) => [...table].filter(([, entry]) => entry.ppid === ppid).map(([pid]) => pid);
  const listeners = children(contact.pid).filter((pid) => titleOf(pid).includes(`/jobs/${jobId}/sshd_config`));
  expect(listeners, `the sshd listener of job ${jobId}`).toHaveLength(1);
  const sessions = children(listeners[0]!);
  expect(sessions, `the session's sshd in job ${jobId}`).toHaveLength(1);
  return sessions[0]!;
}

describe('a session whose job ends, its client\'s end late (as through a ControlMaster)', () => {
  // The job's sshd closes first, after the client's goodbye where the job's end closed the
  // session: the relay must still say why (the goodbye alone says nothing of the job).
  it('scancel: ssh ends with the reason', () =>
    scancelUnderOpenSession(['-o', lateClientEnd(laptop, '.local/bin/remote proxy cpu')]));
});

describe('a session whose job ends, relayed by Node', () => {
  const nodeRelay = () => ['-o', `ProxyCommand=ssh -F ${laptop.config} login env SLURMHOP_NODE_RELAY=1 .local/bin/remote proxy cpu`];
  it('scancel: ssh ends at once with the reason, as with the hand-off', () => scancelUnderOpenSession(nodeRelay()));

  // The session's sshd closes first, with no goodbye from the client in the job's sshd log:
  // a listener that still takes a connect must not make that end an ordinary one.
  it('scancel, the session\'s sshd signalled first: the reason still', () => scancelUnderOpenSession(nodeRelay(), { sessionSshdFirst: true }));
});

describe('a session whose job ends, its sshd signalled before the job\'s end is written (hand-off)', () => {
  it('scancel: the reason still', () => scancelUnderOpenSession([], { sessionSshdFirst: true }));
});

describe('a job that fails before its sshd is ready', () => {
  it('a bad sbatch option: sbatch\'s own error, exit 4, nothing queued', async () => {
    writeConfig(USER, `${PROFILES}\n[profile.broken]\nsbatch_args = --no-such-option\n`);
    const r = await laptop.remote(['proxy', 'broken'], { stdin: 'pipe' });
    expect(r.exitCode).toBe(4);
    expect(String(r.stderr)).toMatch(/sbatch failed: .*no-such-option/);
    expect(await jobsOf(USER)).toEqual([]);
  });

  it('no sshd on the node: the job\'s own error output, at once, exit 6', async () => {
    writeConfig(USER, `${PROFILES}\n[profile.broken]\npartition = interactive\nsshd = /nonexistent/sshd\n`);
    const t0 = Date.now();
    const r = await laptop.remote(['proxy', 'broken'], { stdin: 'pipe' });
    expect(r.exitCode).toBe(6);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(String(r.stderr)).toContain('/nonexistent/sshd (from the profile) is not an executable file');
    expect(String(r.stderr)).toContain("--- the job's output ---");
    await waitFor(async () => (await jobsOf(USER)).length === 0, 15_000, 'the failed job to leave');
  });

  itOnceOnBookworm('env_setup that fails: the job\'s output is shown, exit 6', async () => {
    writeConfig(USER, `${PROFILES}\n[profile.broken]\npartition = interactive\nenv_setup = echo "module: cuda/99 not found" >&2; exit 3\n`);
    const r = await laptop.ssh(['slurm-broken', 'true']);
    expect(r.exitCode).toBe(255); // ssh's own code: the proxy closed before the SSH banner
    expect(String(r.stderr)).toContain('module: cuda/99 not found');
    expect(String(r.stderr)).toMatch(/job \d+ failed before its sshd was ready/);
  });
});

describe('bad input is refused before anything is submitted', () => {
  itOnceOnBookworm('a malformed config.ini: the error names the file and line, exit 3', async () => {
    writeConfig(USER, '[profile.cpu]\npartition = interactive\ntime 30:00\n');
    const r = await laptop.remote(['proxy', 'cpu'], { stdin: 'pipe' });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain(`${configOf(USER)}:3: cannot read this line`);
    const viaSsh = await laptop.ssh(['slurm-cpu', 'true']);
    expect(viaSsh.exitCode).toBe(255);
    expect(String(viaSsh.stderr)).toContain(`${configOf(USER)}:3`);
    expect(await jobsOf(USER)).toEqual([]);
  });

  itOnceOnBookworm('an unknown profile lists the known ones, exit 3', async () => {
    const r = await laptop.remote(['proxy', 'gpus'], { stdin: 'pipe' });
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain('unknown profile "gpus"');
    expect(String(r.stderr)).toContain('defines cpu, gpu');
    expect(await jobsOf(USER)).toEqual([]);
  });
});

describe('the pinned host key', () => {
  itOnceOnBookworm('a different key under the alias is refused by ssh', async () => {
    const good = fs.readFileSync(laptop.pinned, 'utf8');
    const keyFile = `${laptop.dir}/other_key`;
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const otherPub = fs.readFileSync(`${keyFile}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(laptop.pinned, `slurmhop-test-${USER} ${otherPub}\n`);
    try {
      const r = await laptop.ssh(['slurm-cpu', 'echo should-not-run']);
      expect(r.exitCode).toBe(255);
      expect(String(r.stdout)).not.toContain('should-not-run');
      expect(String(r.stderr)).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    } finally {
      fs.writeFileSync(laptop.pinned, good);
    }
    const ok = await laptop.ssh(['slurm-cpu', 'echo fine']);
    expect(ok.exitCode).toBe(0);
    expect(String(ok.stdout).trim()).toBe('fine');
  });
});
