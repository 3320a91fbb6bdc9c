// Who counts as using the job (idle reclaim): authenticated sessions, never
// mere connections. A fake /proc with sshd's own titles.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticatedSessions, establishedPeers, procHidesOthers, registeredRelays } from '../../src/job/sessions.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-sessions-');

/** pid -> [ppid, title] */
function fakeProc(processes: Record<number, [number, string]>): string {
  const dir = tmp();
  for (const [pid, [ppid, title]] of Object.entries(processes)) {
    fs.mkdirSync(path.join(dir, pid), { recursive: true });
    fs.writeFileSync(path.join(dir, pid, 'stat'), `${pid} (${title.split(' ')[0]}) S ${ppid} 1 1 0 -1\n`);
    fs.writeFileSync(path.join(dir, pid, 'cmdline'), `${title}\0\0\0`);
  }
  return dir;
}

describe("the job's own sshd", () => {
  const proc = fakeProc({
    40: [1, 'sshd: /usr/sbin/sshd -D -e -f /home/jay/.local/state/slurmhop/jobs/7/sshd_config [listener] 3 of 10-100 startups'],
    41: [40, 'sshd: jay [priv]'], // ssh -N, VS Code
    42: [41, 'sshd: jay'],
    43: [40, 'sshd: jay [priv]'], // a shell
    44: [43, 'sshd: jay@pts/0'],
    45: [44, '-bash'],
    46: [40, 'sshd: [accepted]'], // a neighbour holding a connection open, unauthenticated
    47: [40, 'sshd: jay [preauth]'],
    48: [40, 'sshd-session: jay [priv]'], // OpenSSH 9.8+
    60: [1, 'sshd: jay [priv]'], // not below this job's sshd
  });

  it('counts the authenticated connections below its own root, not unauthenticated ones, not others', () => {
    expect(authenticatedSessions(40, 'jay', proc)).toBe(3);
    expect(authenticatedSessions(40, 'ada', proc)).toBe(0);
    expect(authenticatedSessions(99, 'jay', proc)).toBe(0);
  });
});

describe("transport = node-sshd: the proxies' relays", () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
    '   1: 0B00000A:0016 0100000A:D431 01 00000000:00000000 02:000A7B2B 00000000     0        0 2 1',
    '   2: 0B00000A:0016 0100000A:D432 06 00000000:00000000 03:00000F1A 00000000     0        0 0 3',
    '   3: 0B00000A:1F90 0100000A:D433 01 00000000:00000000 02:000A7B2B 00000000  1000        0 4 1',
  ].join('\n');

  it('only ESTABLISHED connections to the port are peers (not LISTEN, not TIME_WAIT, not other ports)', () => {
    expect([...establishedPeers(22, [table])]).toEqual(['0100000A:D431']);
    expect([...establishedPeers(0x1f90, [table, ''])]).toEqual(['0100000A:D433']);
  });

  it("a registration counts while its connection is established; a dead relay's does not", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'login1-100'), '0100000A:D431\n'); // live
    fs.writeFileSync(path.join(dir, 'login1-101'), '0100000A:D432\n'); // TIME_WAIT: gone
    fs.writeFileSync(path.join(dir, 'login2-102'), '0200000A:D431\n'); // no such connection
    expect(registeredRelays(dir, 22, [table])).toBe(1);
    expect(registeredRelays(path.join(dir, 'none'), 22, [table])).toBe(0);
  });
});

describe('hidepid', () => {
  it('is read from the options of the last mount on /proc', () => {
    const proc = tmp();
    fs.mkdirSync(path.join(proc, 'self'));
    const line = (id: number, opts: string) => `${id} 1 0:21 / ${proc} rw,relatime - proc proc ${opts}`;
    fs.writeFileSync(path.join(proc, 'self', 'mountinfo'), `${line(72, 'rw')}\n`);
    expect(procHidesOthers(proc)).toBe(false);
    fs.writeFileSync(path.join(proc, 'self', 'mountinfo'), `${line(72, 'rw')}\n${line(158, 'rw,hidepid=invisible')}\n`);
    expect(procHidesOthers(proc)).toBe(true);
    fs.writeFileSync(path.join(proc, 'self', 'mountinfo'), `${line(72, 'rw,hidepid=2,gid=4')}\n`);
    expect(procHidesOthers(proc)).toBe(true);
  });
});
