// Transports. srun: nothing of the session listens on the cluster network; the
// login node reaches the job's sshd through srun, on the node's loopback.
// node-sshd: the node's own sshd (pam_slurm_adopt), below.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWizardBlock } from './wizard-block.js';
import { clusterEnv, HOST_SSH, installRemote, jobsOf, Laptop, laptopSshKnows, onNode, PROFILES, resetUser, stateOf, waitFor, writeConfig } from './harness.js';

const USER = 'jay';
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, `${PROFILES}\n[profile.private]\npartition = interactive\ntransport = srun\n`);
  await resetUser(USER);
  laptop = new Laptop(USER, ['private']);
  await laptop.pinHostKey();
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

describe('transport = srun', () => {
  it('lands in the job; its sshd listens on the node\'s loopback only', async () => {
    const { ssh, opened } = laptop.open(['slurm-private', 'echo "started $(hostname) $SLURM_JOB_ID"; sleep 30'], 'started');
    await opened();
    const [job] = await jobsOf(USER);
    const contact = JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${job!.id}/contact`, 'utf8'));
    expect(contact.transport).toBe('srun');
    const listening = String((await onNode(contact.node, 'root', ['ss', '-Hltn'])).stdout)
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3])
      .filter((local): local is string => Boolean(local) && local!.endsWith(`:${contact.port}`));
    expect(listening).toEqual([`127.0.0.1:${contact.port}`]);
    ssh.kill('SIGTERM');
    await ssh;
  });

  it('64 MiB each way pass intact, warm', async () => {
    const data = crypto.randomBytes(64 << 20);
    const up = await execa('ssh', ['-F', laptop.config, 'slurm-private', 'sha256sum'], { input: data, reject: false });
    expect(up.exitCode, String(up.stderr)).toBe(0);
    expect(String(up.stdout).split(' ')[0]).toBe(sha256(data));
    const file = path.join(`/home/${USER}`, 'down.bin');
    fs.writeFileSync(file, data);
    const down = await execa('ssh', ['-F', laptop.config, 'slurm-private', `cat ${file}`], { encoding: 'buffer', reject: false });
    fs.rmSync(file);
    expect(down.exitCode).toBe(0);
    expect(sha256(Buffer.from(down.stdout as Uint8Array))).toBe(sha256(data));
  });
});

// transport = node-sshd: no sshd of the job; the node's own root sshd with
// pam_slurm_adopt, its host key checked by the laptop through the wizard's
// KnownHostsCommand (the block the wizard writes, rendered for this cluster).
describe('transport = node-sshd', () => {
  let cfg: string;
  let dir: string;
  const key = () => path.join(clusterEnv().keysDir, `${USER}_ed25519`);
  // A laptop ssh without KnownHostsCommand (bullseye's 8.4) cannot use this transport (the wizard
  // refuses it: setup.test.ts): the nodes' side of such a cluster is tested with the host's newer ssh.
  const client = laptopSshKnows('KnownHostsCommand') ? 'ssh' : HOST_SSH;
  const ssh = (args: string[]) => execa(client, ['-F', cfg, '-o', 'BatchMode=yes', ...args], { reject: false, stdin: 'ignore' });

  beforeAll(async () => {
    writeConfig(USER, `${PROFILES}\n[profile.adopt]\npartition = interactive\ntransport = node-sshd\n\n[profile.adoptidle]\npartition = interactive\ntransport = node-sshd\nidle_timeout = 3\n\n[profile.adoptshort]\npartition = interactive\ntransport = node-sshd\ntime = 1\nwalltime_warnings = 50s\n`);
    await resetUser(USER);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-node-sshd-'));
    cfg = path.join(dir, 'ssh_config');
    writeWizardBlock({
      file: cfg,
      user: USER,
      profiles: ['cpu', 'adopt', 'adoptidle', 'adoptshort'],
      nodeSshdProfiles: ['adopt', 'adoptidle', 'adoptshort'],
      jobKnownHosts: path.join(dir, 'slurmhop_known_hosts'),
      sshProgram: client,
    });
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await resetUser(USER);
  });

  const contactOf = async () => {
    const [job] = await jobsOf(USER);
    return JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${job!.id}/contact`, 'utf8'));
  };

  it('lands on the job\'s node through the node\'s own root sshd; the job runs no sshd', async () => {
    const r = await ssh(['slurm-adopt', 'echo "$(hostname) $(ps -o user= -p $(ps -o ppid= -p $PPID))"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const jobs = await jobsOf(USER);
    expect(jobs).toHaveLength(1);
    const contact = await contactOf();
    expect(contact).toMatchObject({ transport: 'node-sshd', port: 22, node: jobs[0]!.node });
    // The session's sshd child runs under root's monitor (sshd: jay [priv]): the node's sshd.
    expect(String(r.stdout).trim()).toBe(`${jobs[0]!.node} root`);
    // The published keys are the node's own.
    const nodeKeys = ['ed25519', 'ecdsa', 'rsa'].map((t) => fs.readFileSync(`${clusterEnv().dir}/nodes/${contact.node}/ssh_host_${t}_key.pub`, 'utf8').split(' ').slice(0, 2).join(' '));
    expect([...contact.hostKeys].sort()).toEqual(nodeKeys.sort());
    // No sshd of the user's own listens anywhere: every sshd of jay is a session child of a root sshd.
    const ps = String((await onNode(contact.node, 'root', ['ps', '-eo', 'pid=,ppid=,user=,comm='])).stdout).trim().split('\n').map((l) => l.trim().split(/\s+/));
    const byPid = new Map(ps.map(([pid, ppid, user, comm]) => [pid!, { ppid: ppid!, user: user!, comm: comm! }]));
    // OpenSSH 9.8+ runs each connection as sshd-session.
    const sshdOfJay = [...byPid.values()].filter((p) => p.user === USER && (p.comm === 'sshd' || p.comm === 'sshd-session'));
    // (Other users' jobs may run their own sshd on this node: only jay's processes are looked at.)
    expect(sshdOfJay.every((p) => byPid.get(p.ppid)?.user === 'root')).toBe(true);
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${jobs[0]!.id}/sshd_config`)).toBe(false);
  });

  it('a second connect reuses the job', async () => {
    const [before] = await jobsOf(USER);
    const r = await ssh(['slurm-adopt', 'echo $SLURM_JOB_ID; hostname']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const after = await jobsOf(USER);
    expect(after.map((j) => j.id)).toEqual([before!.id]);
    expect(String(r.stdout).trim().split('\n').at(-1)).toBe(before!.node);
  });

  it('a node host key other than the published one is refused by the laptop', async () => {
    const [job] = await jobsOf(USER);
    const file = `${stateOf(USER)}/jobs/${job!.id}/contact`;
    const original = fs.readFileSync(file, 'utf8');
    const contact = JSON.parse(original);
    const other = contact.node === 'c1' ? 'c2' : 'c1';
    // The other node's keys: what a node answering in its place would have.
    const wrong = ['ed25519', 'ecdsa', 'rsa'].map((t) => fs.readFileSync(`${clusterEnv().dir}/nodes/${other}/ssh_host_${t}_key.pub`, 'utf8').split(' ').slice(0, 2).join(' '));
    fs.writeFileSync(file, JSON.stringify({ ...contact, hostKeys: wrong }));
    try {
      const r = await ssh(['slurm-adopt', 'echo reached']);
      expect(r.exitCode).toBe(255);
      expect(String(r.stdout)).not.toContain('reached');
      expect(String(r.stderr)).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
      // No key at all (the login node cannot say): refused too, never accepted blindly.
      fs.writeFileSync(file, JSON.stringify({ ...contact, hostKeys: [] }));
      const none = await ssh(['slurm-adopt', 'echo reached']);
      expect(none.exitCode).toBe(255);
      expect(String(none.stderr)).toMatch(/host key is known for slurmhop-local-nodes and you have requested strict checking/);
    } finally {
      fs.writeFileSync(file, original);
    }
    expect((await ssh(['slurm-adopt', 'echo reached'])).stdout).toContain('reached');
  });

  it('pam_slurm_adopt refuses a direct login to a node where the user has no job, and lets it in where the job runs', async () => {
    const { node } = await contactOf();
    const other = node === 'c1' ? 'c2' : 'c1';
    const direct = (target: string) =>
      onNode('login', 'root', ['ssh', '-i', key(), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', `${USER}@${target}`, 'hostname']);
    const refused = await direct(other);
    expect(refused.exitCode).toBe(255);
    expect(String(refused.stderr)).toContain('Access denied by pam_slurm_adopt: you have no active jobs on this node');
    const admitted = await direct(node);
    expect(admitted.exitCode, String(admitted.stderr)).toBe(0);
    expect(String(admitted.stdout).trim()).toBe(node);
  });

  it('idle reclaim counts the sessions through the node\'s sshd: the job stays while one is open and ends after', async () => {
    await resetUser(USER);
    const open = execa(client, ['-F', cfg, '-o', 'BatchMode=yes', 'slurm-adoptidle', 'echo started; sleep 9'], { reject: false, stdin: 'ignore' });
    let out = '';
    open.stdout!.on('data', (d) => (out += d));
    await waitFor(() => out.includes('started'), 30_000, 'the session to start');
    const [job] = await jobsOf(USER);
    expect((await open).exitCode).toBe(0); // 9 s open: three idle periods, and the job stayed
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([job!.id]);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the idle job to end');
    const events = fs.readFileSync(`${stateOf(USER)}/jobs/${job!.id}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ event: 'ended', reason: 'idle' });
  }, 90_000);

  it('the walltime warning reaches a terminal of a session through the node\'s sshd', async () => {
    const r = await ssh(['-tt', 'slurm-adoptshort', 'echo started; sleep 25']);
    const out = String(r.stdout);
    expect(out).toContain('started');
    expect(out).toMatch(/slurmhop: job \d+ \(adoptshort\) reaches its time limit at \d\d:\d\d, in 1 minute/);
  }, 120_000);
});
