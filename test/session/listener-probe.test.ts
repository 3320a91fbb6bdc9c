// Whether a job's sshd still listens at a session's end (listener-probe.ts),
// against real listeners on loopback: one that answers with a banner, one that
// says nothing, and one that does what OpenSSH before 8.7 does when a SIGTERM
// came while it was not in select() (the connect completes, then is reset).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { jobSshdListens, LISTENER_MAY_SLEEP, listenerMaySleep } from '../../src/session/listener-probe.js';
import { bannerSoftware, connectTcp, type Contact } from '../../src/state/index.js';
import { listenerWithPendingSigterm, server } from '../helpers/tcp-server.js';

const contact = (port: number, extra: Partial<Contact> = {}): Contact => ({ version: 1, jobId: '7', profile: 'cpu', node: '127.0.0.1', port, user: 'u', pid: 1, readyAt: '', ...extra });
const answering = (banner: string) => server((s) => void s.end(banner));
const OLD = { sshdVersion: 'OpenSSH_8.4p1' };
const NEW = { sshdVersion: 'OpenSSH_9.2p1' };

describe("the look at the job's sshd", () => {
  it.each([
    [undefined, true],
    ['OpenSSH_7.4p1', true],
    ['OpenSSH_8.0p1', true],
    ['OpenSSH_8.4p1', true],
    ['OpenSSH_8.7p1', false],
    ['OpenSSH_8.10p1', false],
    ['OpenSSH_9.2p1', false],
    ['OpenSSH_10.0p2', false],
    ['dropbear_2022.83', true],
  ])('sshd %s: its listener may sleep through a SIGTERM: %s (and the relay\'s bash says the same from the contact file)', (version, may) => {
    expect(listenerMaySleep(version)).toBe(may);
    const text = `${JSON.stringify(contact(1, version ? { sshdVersion: version } : {}))}\n`;
    let bash = true;
    try {
      execFileSync('bash', ['-c', `${LISTENER_MAY_SLEEP}\nlistener_may_sleep "$1"`, 'test', text]);
    } catch {
      bash = false;
    }
    expect(bash).toBe(may);
  });

  it("the contact's version is the banner's software", () => {
    expect(bannerSoftware('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3 slurmhop-7\r\n')).toBe('OpenSSH_8.4p1');
    expect(bannerSoftware('SSH-2.0-OpenSSH_9.2p1\r\n')).toBe('OpenSSH_9.2p1');
    expect(bannerSoftware('HTTP/1.1 400 Bad Request')).toBeUndefined();
  });

  it("an old sshd's listener that still answers with the job's banner listens", async () => {
    const port = await answering('SSH-2.0-OpenSSH_8.4p1 Debian-5 slurmhop-7\r\n');
    expect(await jobSshdListens(connectTcp, contact(port, OLD))).toBe(true);
  });

  it("an old sshd's listener with a SIGTERM pending (the connect completes, then is reset) does not, nor one of unknown version", async () => {
    for (const extra of [OLD, {}]) {
      const listener = await listenerWithPendingSigterm();
      expect(await jobSshdListens(connectTcp, contact(listener.port, extra))).toBe(false);
      await listener.exited;
    }
  });

  it("an old sshd's port that says nothing within the look, or another job's banner: not this job's sshd listening", async () => {
    const silent = await server(() => {});
    const other = await answering('SSH-2.0-OpenSSH_8.4p1 Debian-5 slurmhop-8\r\n');
    const started = Date.now();
    expect(await jobSshdListens(connectTcp, contact(silent, OLD))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await jobSshdListens(connectTcp, contact(other, OLD))).toBe(false);
  });

  it('OpenSSH 8.7 or later: the connect alone answers (no wait for the banner on every end); refused is not listening', async () => {
    const silent = await server(() => {});
    expect(await jobSshdListens(connectTcp, contact(silent, NEW))).toBe(true);
    const gone = await listenerWithPendingSigterm();
    await jobSshdListens(connectTcp, contact(gone.port, NEW));
    await gone.exited;
    expect(await jobSshdListens(connectTcp, contact(gone.port, NEW))).toBe(false);
  });

  it('srun and node-sshd: no look (the sshd the relay reaches says nothing of the job)', async () => {
    const port = await answering('SSH-2.0-OpenSSH_9.2p1 slurmhop-7\r\n');
    for (const transport of ['srun', 'node-sshd'] as const) expect(await jobSshdListens(connectTcp, contact(port, { ...NEW, transport }))).toBe(false);
  });
});
