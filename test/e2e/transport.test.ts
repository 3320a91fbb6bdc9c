// transport = srun: nothing of the session listens on the cluster network; the
// login node reaches the job's sshd through srun, on the node's loopback.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRemote, jobsOf, Laptop, onNode, PROFILES, resetUser, stateOf, writeConfig } from './harness.js';

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
