// `ssh slurm-cpu` through the real chain: laptop ssh -> login sshd ->
// `remote proxy` -> Slurm job -> unprivileged sshd on a compute node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsOf, type Laptop, onNode, prepareUser, resetUser, stateOf, waitFor } from './harness.js';
import { lateClientEnd } from './late-client.js';
import fs from 'node:fs';

const USER = 'ada';
let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER);
});

afterAll(() => laptop.dispose());

describe('ssh slurm-cpu', () => {
  it('lands on a compute node inside the job, with the job\'s environment', async () => {
    const r = await laptop.ssh(['slurm-cpu', 'hostname; echo "job=$SLURM_JOB_ID"; echo "nodes=$SLURM_JOB_NODELIST"']);
    expect(r.stderr).toMatch(/submitted job \d+ for profile cpu/);
    expect(r.exitCode).toBe(0);
    const [host, job, nodes] = String(r.stdout).split('\n');
    expect(['c1', 'c2']).toContain(host);
    const queued = (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-cpu');
    expect(queued).toHaveLength(1);
    expect(job).toBe(`job=${queued[0]!.id}`);
    expect(nodes).toBe(`nodes=${host}`);
    expect(queued[0]!.state).toBe('RUNNING');
  });

  it('returns the remote command\'s exit code', async () => {
    const r = await laptop.ssh(['slurm-cpu', 'exit 7']);
    expect(r.exitCode).toBe(7);
  });

  it('reuses the running job: a warm connect submits nothing and says nothing', async () => {
    const before = await jobsOf(USER);
    const r = await laptop.ssh(['slurm-cpu', 'echo $SLURM_JOB_ID']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(await jobsOf(USER)).toEqual(before);
    expect(String(r.stdout).trim()).toBe(before.find((j) => j.name === 'slurmhop-cpu')!.id);
  });

  it('allocates a terminal (ssh -tt) on the node', async () => {
    const r = await laptop.ssh(['-tt', 'slurm-cpu', 'tty; test -t 0 && echo is-a-tty']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toMatch(/\/dev\/pts\/\d+/);
    expect(String(r.stdout)).toContain('is-a-tty');
  });

  it('keeps the contract layout: contact and status files, private directories, the host key', async () => {
    const [job] = (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-cpu');
    const dir = `${stateOf(USER)}/jobs/${job!.id}`;
    const contact = JSON.parse(fs.readFileSync(`${dir}/contact`, 'utf8'));
    expect(contact).toMatchObject({ jobId: job!.id, profile: 'cpu', node: job!.node, user: USER });
    // The relay's look at the listener depends on it (session/listener-probe.ts): the node's OpenSSH, as its ssh -V says.
    // (Debian writes OpenSSH_9.2p1 in both; upstream's banner has no p1: the major.minor is compared.)
    const majorMinor = (v: string) => /^OpenSSH_\d+\.\d+/.exec(v)?.[0];
    const openssh = String((await onNode(job!.node, USER, ['ssh', '-V'])).stderr);
    expect(majorMinor(String(contact.sshdVersion))).toBeDefined();
    expect(majorMinor(String(contact.sshdVersion))).toBe(majorMinor(openssh));
    expect(JSON.parse(fs.readFileSync(`${dir}/submitted`, 'utf8'))).toMatchObject({ event: 'submitted', jobId: job!.id, profile: 'cpu' });
    const events = fs.readFileSync(`${dir}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).event);
    expect(events).toEqual(['started', 'ready']);
    for (const d of [stateOf(USER), `${stateOf(USER)}/jobs`, dir, `${stateOf(USER)}/hostkey`]) {
      expect((fs.statSync(d).mode & 0o777).toString(8), d).toBe('700');
    }
    expect((fs.statSync(`${stateOf(USER)}/hostkey/ssh_host_ed25519_key`).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(`${dir}/contact`).mode & 0o777).toString(8)).toBe('600');
  });
});

describe('the single executable on this suite', () => {
  // Proven on each suite's glibc (bullseye 2.31 to sid 2.43); its symbol floor, 2.28, is checked in test/build.
  it('runs on the login node and in the job: remote --version, under the nodes\' own glibc', async () => {
    for (const node of ['login', 'c1']) {
      const glibc = await onNode(node, USER, ['ldd', '--version']);
      // The executable itself (the front of remote answers --version without it).
      const version = await onNode(node, USER, ['.local/lib/slurmhop/remote', '--version']);
      expect(version.exitCode, `${node}: ${String(version.stderr)} (${String(glibc.stdout).split('\n')[0]})`).toBe(0);
      expect(String(version.stdout)).toMatch(/^slurmhop \d+\.\d+\.\d+/);
    }
    const inJob = await laptop.ssh(['slurm-cpu', 'ldd --version | head -n1; .local/lib/slurmhop/remote --version']);
    expect(inJob.exitCode, String(inJob.stderr)).toBe(0);
    expect(String(inJob.stdout)).toMatch(/GLIBC|GNU libc/i);
  });
});

describe('the relay on the login node', () => {
  it('an open session is carried by bash and dd there (the front of remote), not by a Node process', async () => {
    const { ssh, opened } = laptop.open(['slurm-cpu', 'echo open; sleep 20'], 'open');
    await opened();
    const uid = fs.statSync(`/home/${USER}`).uid;
    const mine = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.statSync(`/proc/${p}`).uid === uid;
      } catch {
        return false;
      }
    });
    const read = (p: string) => {
      try {
        return { cmdline: fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' '), exe: fs.readlinkSync(`/proc/${p}/exe`) };
      } catch {
        return { cmdline: '', exe: '' };
      }
    };
    const processes = mine.map(read);
    ssh.kill('SIGTERM');
    await ssh;
    // The relay's bash (bash -c ... slurmhop-session <its end's text> tcp NODE PORT ...), from the front or the executable's hand-off.
    expect(processes.some(({ cmdline }) => /slurmhop-session [\s\S]* tcp c[12] \d+ /.test(cmdline))).toBe(true);
    // No `remote proxy` is the executable (Node); the job's own `remote job` is, on its node.
    expect(processes.filter(({ exe, cmdline }) => exe.endsWith('/lib/slurmhop/remote') && cmdline.includes(' proxy '))).toEqual([]);
  });

  it("an ordinary end whose server side closes first ends at once: the job's sshd logged the client's goodbye", async () => {
    // As through a ControlMaster, the client's own end reaches the relay later than the job's sshd closes.
    const r = await laptop.ssh(['-o', lateClientEnd(laptop, 'env SLURMHOP_TIMING=1 .local/bin/remote proxy cpu'), 'slurm-cpu', 'echo said-bye']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim()).toBe('said-bye');
    const marks = String(r.stderr).split('\n').filter((l) => l.startsWith('slurmhop-timing ')).map((l) => l.split(' ')[1]);
    expect(marks).toEqual(expect.arrayContaining(['relay-ended', 'client-said-bye', 'quiet-end']));
  });

  it('the built-in Node relay still carries a session where no hand-off is possible', async () => {
    const proxy = `ProxyCommand=ssh -F ${laptop.config} login env SLURMHOP_NODE_RELAY=1 .local/bin/remote proxy cpu`;
    const r = await laptop.ssh(['-o', proxy, 'slurm-cpu', 'echo via-node; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(String(r.stdout).trim()).toBe('via-node');
  });
});

describe('ssh slurm-gpu', () => {
  it('lands on c2, the GPU node, with CUDA_VISIBLE_DEVICES set', async () => {
    const r = await laptop.ssh(['slurm-gpu', 'hostname; echo "cuda=$CUDA_VISIBLE_DEVICES"']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout).split('\n')).toEqual(['c2', 'cuda=0']);
  });
});

describe('simultaneous connects', () => {
  it('8 at once with no job: exactly one job is submitted and all 8 succeed', async () => {
    await resetUser(USER);
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => laptop.ssh(['slurm-cpu', `echo ${i} $SLURM_JOB_ID`])));
    for (const r of runs) expect(r.exitCode, String(r.stderr)).toBe(0);
    const jobs = (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-cpu');
    expect(jobs).toHaveLength(1);
    const ids = new Set(runs.map((r) => String(r.stdout).trim().split(' ')[1]));
    expect([...ids]).toEqual([jobs[0]!.id]);
    // "submitted job N", not "reusing your just submitted job N" (the connects that waited for it).
    const submitted = runs.filter((r) => /^slurmhop: submitted job /m.test(String(r.stderr)));
    expect(submitted).toHaveLength(1);
  });
});

describe('remote list and remote cancel', () => {
  it('list shows the job with its node and time; --json is machine-readable', async () => {
    const table = await laptop.remote(['list']);
    expect(table.exitCode).toBe(0);
    expect(String(table.stdout)).toMatch(/^JOBID\s+PROFILE\s+STATE\s+NODE/);
    expect(String(table.stdout)).toMatch(/\d+\s+cpu\s+RUNNING\s+c[12]\s+\S+ \/ 30:00/);
    const json = JSON.parse(String((await laptop.remote(['list', '--json'])).stdout));
    expect(json).toEqual([expect.objectContaining({ profile: 'cpu', state: 'RUNNING', ready: true, timeLimit: '30:00' })]);
    expect(json[0].node).toMatch(/^c[12]$/);
  });

  it('cancel touches only this user\'s slurmhop jobs', async () => {
    const other = await onNode('login', USER, ['sbatch', '--parsable', '-p', 'interactive', '-J', 'not-slurmhop', '-o', '/dev/null', '--wrap', 'sleep 300']);
    expect(other.exitCode, String(other.stderr)).toBe(0);
    const bobs = await onNode('login', 'bob', ['sbatch', '--parsable', '-p', 'interactive', '-J', 'slurmhop-cpu', '-o', '/dev/null', '--wrap', 'sleep 300']);
    expect(bobs.exitCode, String(bobs.stderr)).toBe(0);
    try {
      const notMine = await laptop.remote(['cancel', String(bobs.stdout).trim()]);
      expect(notMine.exitCode).toBe(2);
      expect(String(notMine.stderr)).toContain('is not one of your slurmhop jobs');
      const r = await laptop.remote(['cancel', '--all']);
      expect(r.exitCode).toBe(0);
      expect(String(r.stdout)).toMatch(/cancelled job \d+ \(cpu, running\)/);
      await waitFor(async () => (await jobsOf(USER)).every((j) => j.name !== 'slurmhop-cpu'), 15_000, 'the cpu job to end');
      expect((await jobsOf(USER)).map((j) => j.name)).toEqual(['not-slurmhop']);
      expect((await jobsOf('bob')).map((j) => j.name)).toEqual(['slurmhop-cpu']);
    } finally {
      await onNode('login', 'root', ['scancel', String(other.stdout).trim(), String(bobs.stdout).trim()]);
    }
  });
});
