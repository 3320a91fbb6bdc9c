// transport = node-sshd, job side: which host keys are published, which
// processes count as the user's sessions, and what the contact says.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeSessions, readNodeHostKeys, startNodeSshd } from '../../src/job/node-sshd.js';
import { runJob } from '../../src/job/run.js';
import type { JobContext } from '../../src/job/context.js';
import { readContact, readStatus } from '../../src/state/index.js';
import type { SlurmRunner } from '../../src/slurm/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-node-sshd-');
/** A node whose /proc shows every process and whose /proc/net/tcp is empty. */
const deps = { sshDir: '/nonexistent', proc: '/nonexistent', uid: 1000, probe: async () => undefined, hidesOthers: () => false, tcpTables: () => [] };
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIJb4VwdE1z8b3DrgAAzGHpNYbRmZmX+hHU6eOTzqfUNN';
const EC = 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPa=';

function sshDir(files: Record<string, [string, number]>): string {
  const dir = tmp();
  for (const [name, [text, mode]] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
    fs.chmodSync(path.join(dir, name), mode);
  }
  return dir;
}

describe('the node\'s host keys', () => {
  it.skipIf(process.getuid?.() !== 0)('publishes root-owned ssh_host_*_key.pub files that only root can write; nothing else', () => {
    const dir = sshDir({
      'ssh_host_ed25519_key.pub': [`ssh-ed25519 ${ED} root@c1\n`, 0o644],
      'ssh_host_ecdsa_key.pub': [`ecdsa-sha2-nistp256 ${EC}\n`, 0o644],
      'ssh_host_rsa_key.pub': ['ssh-rsa AAAAB3Nza root@c1\n', 0o666], // writable by anyone: not trusted
      'ssh_host_ed25519_key': ['PRIVATE', 0o600],
      'ssh_host_ed25519_key-cert.pub': [`ssh-ed25519-cert-v01@openssh.com ${ED}\n`, 0o644],
      'ssh_config': ['Host *\n', 0o644],
    });
    expect(readNodeHostKeys(dir)).toEqual([`ecdsa-sha2-nistp256 ${EC}`, `ssh-ed25519 ${ED}`]);
    fs.chownSync(path.join(dir, 'ssh_host_ecdsa_key.pub'), 1000, 1000);
    expect(readNodeHostKeys(dir)).toEqual([`ssh-ed25519 ${ED}`]);
  });

  it('no trustworthy key, or no directory: a clear error naming the directory', () => {
    const dir = sshDir({ 'ssh_host_rsa_key.pub': ['ssh-rsa AAAAB3Nza\n', 0o666] });
    expect(() => readNodeHostKeys(dir)).toThrow(new RegExp(`cannot read the node's host keys in ${dir}`));
    expect(() => readNodeHostKeys(path.join(dir, 'missing'))).toThrow(/ENOENT/);
  });

  it('a node whose sshd does not answer fails the start with the reason and what to use instead', async () => {
    const dir = sshDir({ 'ssh_host_ed25519_key.pub': [`ssh-ed25519 ${ED}\n`, 0o644] });
    const start = startNodeSshd('c1', tmp(), { ...deps, sshDir: dir, proc: tmp(), probe: async () => 'connect ECONNREFUSED' });
    await expect(start).rejects.toThrow(/node's sshd does not answer on c1:22: connect ECONNREFUSED/);
    await expect(start).rejects.toMatchObject({ kind: 'job-failed', hint: expect.stringContaining('transport = tcp or srun') });
  });
});

/** A fake /proc: pid -> [ppid, name, uid, fd targets]. */
function fakeProc(processes: Record<number, [number, string, number, string[]?]>): string {
  const dir = tmp();
  for (const [pid, [ppid, name, uid, fds = []]] of Object.entries(processes)) {
    fs.mkdirSync(path.join(dir, pid, 'fd'), { recursive: true });
    fs.writeFileSync(path.join(dir, pid, 'status'), `Name:\t${name}\nState:\tS\nPPid:\t${ppid}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    fs.writeFileSync(path.join(dir, pid, 'stat'), `${pid} (${name}) S ${ppid} 1 1 0 -1\n`);
    fds.forEach((target, i) => fs.symlinkSync(target, path.join(dir, pid, 'fd', String(i))));
  }
  return dir;
}

describe('the user\'s sessions through the node\'s sshd', () => {
  const proc = fakeProc({
    10: [1, 'sshd', 0], // the node's sshd
    11: [10, 'sshd', 0], // "sshd: jay [priv]"
    12: [11, 'sshd', 1000], // "sshd: jay@pts/3"
    13: [12, 'bash', 1000, ['/dev/pts/3', '/dev/pts/3']],
    21: [10, 'sshd', 0], // "sshd: ada [priv]"
    22: [21, 'sshd', 1001], // ada's session: not ours
    23: [22, 'bash', 1001, ['/dev/pts/4']],
    31: [10, 'sshd', 0],
    32: [31, 'sshd', 1000], // jay again, "sshd: jay@notty" (ssh -N, VS Code)
    40: [1, 'remote', 1000],
    41: [40, 'sshd', 1000], // jay's own sshd of a transport = tcp job
    42: [41, 'sshd', 1000], // and its connection: not through the node's sshd
    43: [42, 'bash', 1000, ['/dev/pts/5']],
    51: [10, 'sshd-session', 0], // OpenSSH 9.8+: the connection's monitor
    52: [51, 'sshd-session', 1000], // and jay's session
  });

  it('counts the user\'s sshd children under a root sshd, not other users\' and not the user\'s own sshds', () => {
    expect(nodeSessions(proc, 1000)).toEqual([12, 32, 52]);
    expect(nodeSessions(proc, 1001)).toEqual([22]);
    expect(nodeSessions(proc, 1002)).toEqual([]);
  });

  it('finds the terminals of those sessions only (walltime warnings)', async () => {
    const dir = sshDir({ 'ssh_host_ed25519_key.pub': [`ssh-ed25519 ${ED}\n`, 0o644] });
    const sshd = await startNodeSshd('c1', tmp(), { ...deps, sshDir: dir, proc });
    expect(sshd.sessions!()).toBe(3);
    expect(sshd.terminals().map((t) => t.name)).toEqual(['/dev/pts/3']);
    expect(sshd.port).toBe(22);
    expect(sshd.terminalsRoot).toBeUndefined();
    await sshd.stop();
  });

  it('where /proc hides root\'s sshd (hidepid), the relays of the user\'s proxies count; where nothing can be counted, it says why', async () => {
    const dir = sshDir({ 'ssh_host_ed25519_key.pub': [`ssh-ed25519 ${ED}\n`, 0o644] });
    const relays = tmp();
    fs.writeFileSync(path.join(relays, 'login-4242'), '0100000A:D431\n');
    const table = ['  sl  local_address rem_address   st', '   0: 0B00000A:0016 0100000A:D431 01 00000000:00000000'].join('\n');
    const hidden = await startNodeSshd('c1', relays, { ...deps, sshDir: dir, proc: tmp(), hidesOthers: () => true, tcpTables: () => [table] });
    expect(hidden.sessions!()).toBe(1);
    await hidden.stop();
    const blind = await startNodeSshd('c1', relays, { ...deps, sshDir: dir, proc: tmp(), hidesOthers: () => true, tcpTables: () => [] });
    expect(blind.sessions).toBeUndefined();
    expect(blind.uncountable).toMatch(/hides other users' processes \(hidepid\)/);
    await blind.stop();
  });
});

describe('runJob with transport = node-sshd', () => {
  it('starts no sshd, publishes node, port 22 and the node\'s host keys, and ends on a cancel', async () => {
    const state = tmp();
    const signals = new EventEmitter();
    const noSlurm: SlurmRunner = async () => ({ exitCode: 1, stdout: '', stderr: 'no Slurm here' });
    const ctx: JobContext = {
      env: { SLURM_JOB_ID: '77', SLURMD_NODENAME: 'c1' },
      log: () => {},
      run: noSlurm,
      stateDir: state,
      user: 'jay',
      signals: signals as never,
      startNodeSshd: async () => ({
        port: 22,
        exited: new Promise(() => {}),
        terminalsRoot: undefined,
        stop: async () => {},
        hostKeys: [`ssh-ed25519 ${ED}`],
        sessions: () => 0,
        terminals: () => [],
      }),
    };
    const ended = runJob(ctx, { profile: 'adopt', idleTimeout: 0, transport: 'node-sshd' });
    await new Promise((r) => setTimeout(r, 50));
    expect(readContact(state, '77')).toMatchObject({ node: 'c1', port: 22, transport: 'node-sshd', hostKeys: [`ssh-ed25519 ${ED}`] });
    signals.emit('SIGTERM');
    expect(await ended).toBe('cancelled');
    expect(readContact(state, '77')).toBeUndefined();
    expect(readStatus(state, '77').map((e) => e.event)).toEqual(['started', 'ready', 'ended']);
  });
});

describe('a cancel while the job starts', () => {
  it('is recorded at once, not when the slow start gives up, and only once', async () => {
    const state = tmp();
    const signals = new EventEmitter();
    let failStart!: (err: Error) => void;
    const ctx: JobContext = {
      env: { SLURM_JOB_ID: '78', SLURMD_NODENAME: 'c1' },
      log: () => {},
      run: async () => ({ exitCode: 1, stdout: '', stderr: 'no Slurm here' }),
      stateDir: state,
      user: 'jay',
      signals: signals as never,
      // A start that takes its time (an image import): it fails only when the cancel has killed what it ran.
      startNodeSshd: () => new Promise((_, reject) => (failStart = reject)),
    };
    const ended = runJob(ctx, { profile: 'adopt', idleTimeout: 0, transport: 'node-sshd' }).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 20));
    signals.emit('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    expect(readStatus(state, '78').map((e) => [e.event, 'reason' in e ? e.reason : undefined])).toEqual([['started', undefined], ['ended', 'cancelled']]);
    failStart(new Error('killed'));
    expect(await ended).toBeInstanceOf(Error);
    expect(readStatus(state, '78').filter((e) => e.event === 'ended')).toHaveLength(1);
  });
});

describe('the job stays alive with no sshd of its own', () => {
  it('holds a ref\'d handle until stop (no child process keeps Node running, and the job would end at once)', async () => {
    const dir = sshDir({ 'ssh_host_ed25519_key.pub': [`ssh-ed25519 ${ED}\n`, 0o644] });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const sshd = await startNodeSshd('c1', tmp(), { ...deps, sshDir: dir, proc: tmp() });
    expect(timers()).toBe(before + 1);
    await sshd.stop();
    expect(timers()).toBe(before);
  });
});
