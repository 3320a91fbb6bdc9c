// Jobs that end uncleanly: every process killed at once (as an OOM kill or
// `scancel --signal=KILL --full` does), or `remote job` alone killed (the
// local cluster runs proctrack/linuxproc, which loses re-parented processes).
// Nothing of the job may be left to land in, and the next connect must work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeWizardBlock } from './wizard-block.js';
import { type Laptop, jobsOf, onNode, prepareUser, PROFILES, resetUser, stateOf, waitFor } from './harness.js';

const USER = 'kim';
const CONFIG = `${PROFILES}
[profile.loop]
partition = interactive
transport = srun

[profile.adopt]
partition = interactive
transport = node-sshd
`;
let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER, ['cpu', 'loop'], CONFIG);
});
afterAll(async () => {
  laptop.dispose();
  await resetUser(USER);
});
afterEach(() => resetUser(USER));

const contactOf = (jobId: string) => JSON.parse(fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/contact`, 'utf8')) as { node: string; port: number; pid: number };

async function landed(host: string, ssh: (args: string[]) => Promise<{ exitCode?: number; stdout: unknown; stderr: unknown }> = (a) => laptop.ssh(a)) {
  const r = await ssh([host, 'echo "$SLURM_JOB_ID"']);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return String(r.stdout).trim();
}

/** Whether anything accepts connections on node:port, tried from the login node. */
async function listening(node: string, port: number): Promise<boolean> {
  const r = await onNode('login', USER, ['bash', '-c', `exec 3<>/dev/tcp/${node}/${port}`]);
  return r.exitCode === 0;
}

describe('every process of the job killed at once (scancel --signal=KILL --full)', () => {
  for (const [profile, transport] of [
    ['cpu', 'tcp'],
    ['loop', 'srun'],
  ] as const) {
    it(`transport = ${transport}: the next connect gets a job of its own within seconds`, async () => {
      const first = await landed(`slurm-${profile}`);
      await onNode('login', USER, ['scancel', '--signal=KILL', '--full', first]);
      await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the killed job to leave the queue');
      const t0 = Date.now();
      const second = await landed(`slurm-${profile}`);
      expect(second).not.toBe(first);
      expect(Date.now() - t0).toBeLessThan(15_000);
    });
  }
});

describe('remote job alone killed (kill -9), its sshd and the rest of the job left behind', () => {
  it('its sshd goes with it, the contact is removed, and the next connect lands in a job of its own, not outside any allocation', async () => {
    const first = await landed('slurm-cpu');
    const contact = contactOf(first);
    expect(await listening(contact.node, contact.port)).toBe(true);
    process.kill(contact.pid, 'SIGKILL'); // one process table for the whole local cluster
    await waitFor(async () => !(await listening(contact.node, contact.port)), 10_000, "the killed job's sshd to stop listening");
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${first}/contact`)).toBe(false);
    const second = await landed('slurm-cpu');
    expect(second).not.toBe(first);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([second]);
  });

  it("an open session's processes go too: nothing of the job runs on as the user", async () => {
    const { ssh, opened } = laptop.open(['slurm-cpu', 'echo started; sleep 300'], 'started');
    await opened();
    const [job] = await jobsOf(USER);
    const contact = contactOf(job!.id);
    process.kill(contact.pid, 'SIGKILL');
    const r = await Promise.race([ssh, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the session outlived its job by 30 s')), 30_000))]);
    expect(r.exitCode).not.toBe(0);
    await waitFor(async () => {
      const ps = await onNode(contact.node, 'root', ['ps', '-u', USER, '-o', 'comm=']);
      return !String(ps.stdout).split('\n').some((c) => c.trim() === 'sleep');
    }, 10_000, "the session's sleep to be stopped");
  });
});

describe('transport = node-sshd: remote job alone killed', () => {
  let cfg: string;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-unclean-'));
    cfg = path.join(dir, 'ssh_config');
    writeWizardBlock({ file: cfg, user: USER, profiles: ['adopt'], nodeSshdProfiles: ['adopt'], jobKnownHosts: path.join(dir, 'slurmhop_known_hosts') });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const ssh = (args: string[]) => execa('ssh', ['-F', cfg, '-o', 'BatchMode=yes', ...args], { reject: false, stdin: 'ignore' });

  it("the node's sshd is not handed a stale contact (pam_slurm_adopt would refuse without saying why): the next connect submits as usual", async () => {
    const first = await landed('slurm-adopt', ssh);
    process.kill(contactOf(first).pid, 'SIGKILL');
    await waitFor(async () => (await jobsOf(USER)).length === 0, 20_000, 'the job to end with its supervisor');
    const r = await ssh(['slurm-adopt', 'echo "$SLURM_JOB_ID"']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).not.toMatch(/pam_slurm_adopt|Access denied/);
    expect(String(r.stdout).trim()).not.toBe(first);
  });
});
