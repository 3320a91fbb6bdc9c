// Idle reclaim counts people, not sockets: a neighbour (another cluster user)
// holding connections to the job's port open keeps nobody's job alive, and a
// real /proc mounted hidepid on the nodes (as on shared clusters) does not
// make live node-sshd sessions invisible to the count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWizardBlock } from './wizard-block.js';
import { type Laptop, jobsOf, onNode, prepareUser, PROFILES, resetUser, stateOf, waitFor } from './harness.js';

const USER = 'lee';
const NEIGHBOUR = 'mia';
const CONFIG = `${PROFILES}
[profile.idle]
partition = interactive
idle_timeout = 4

[profile.adoptidle]
partition = interactive
transport = node-sshd
idle_timeout = 4
`;
let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER, ['idle'], CONFIG);
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});

const contactOf = (jobId: string) => JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/contact`, 'utf8')) as { node: string; port: number };
const endOf = (jobId: string) => fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).at(-1);

describe("a neighbour's connections to the job's port", () => {
  it('do not keep the job alive: it ends idle with only unauthenticated connections open', async () => {
    expect((await laptop.ssh(['slurm-idle', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOf(USER);
    const { node, port } = contactOf(job!.id);
    // The neighbour holds a connection open, and opens a new one before sshd's grace time ends it.
    const holder = onNode('login', NEIGHBOUR, ['bash', '-c', `for i in $(seq 20); do (exec 3<>/dev/tcp/${node}/${port}; sleep 25) & sleep 2; done; wait`]);
    try {
      await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end idle under the neighbour\'s connections');
      expect(endOf(job!.id)).toMatchObject({ event: 'ended', reason: 'idle' });
    } finally {
      holder.kill('SIGKILL');
      await onNode('login', 'root', ['pkill', '-u', NEIGHBOUR]);
    }
  });

  it("the owner's own session (ssh -N, as a port forward) does keep it: it ends idle only after the session closes", async () => {
    const session = laptop.ssh(['-N', 'slurm-idle']) as ResultPromise;
    try {
      await waitFor(async () => (await jobsOf(USER)).some((j) => j.state === 'RUNNING'), 30_000, 'the job to run');
      await new Promise((r) => setTimeout(r, 10_000)); // well past idle_timeout = 4
      expect((await jobsOf(USER)).length).toBe(1);
    } finally {
      session.kill('SIGTERM');
      await session.catch(() => {});
    }
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end idle after the session closed');
  });
});

describe('transport = node-sshd on nodes whose /proc is mounted hidepid=invisible', () => {
  let cfg: string;
  let dir: string;
  beforeAll(async () => {
    for (const node of ['c1', 'c2']) {
      const r = await onNode(node, 'root', ['mount', '-t', 'proc', '-o', 'hidepid=invisible', 'proc', '/proc']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-hidepid-'));
    cfg = path.join(dir, 'ssh_config');
    writeWizardBlock({ file: cfg, user: USER, profiles: ['adoptidle'], nodeSshdProfiles: ['adoptidle'], jobKnownHosts: path.join(dir, 'slurmhop_known_hosts') });
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const node of ['c1', 'c2']) await onNode(node, 'root', ['umount', '/proc']);
  });

  it("the user's session through the node's sshd still counts: the job stays while it is open and ends idle after", async () => {
    const session = execa('ssh', ['-F', cfg, '-o', 'BatchMode=yes', '-N', 'slurm-adoptidle'], { reject: false, stdin: 'ignore' });
    try {
      await waitFor(async () => (await jobsOf(USER)).some((j) => fs.existsSync(`${stateOf(USER)}/jobs/${j.id}/contact`)), 30_000, 'the job to be ready');
      await new Promise((r) => setTimeout(r, 2_000)); // the session is in
      const [job] = await jobsOf(USER);
      // The hidepid mount is real: the user cannot see root's sshd on the node.
      const seen = await onNode(contactOf(job!.id).node, USER, ['ps', '-e', '-o', 'user=']);
      expect(String(seen.stdout).split('\n').map((u) => u.trim()).filter(Boolean).every((u) => u === USER)).toBe(true);
      await new Promise((r) => setTimeout(r, 10_000)); // well past idle_timeout = 4
      expect((await jobsOf(USER)).map((j) => j.id)).toEqual([job!.id]);
    } finally {
      session.kill('SIGTERM');
      await session;
    }
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the job to end idle after the session closed');
  });
});
