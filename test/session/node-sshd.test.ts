// transport = node-sshd, login side: the node's sshd is accepted on its SSH
// banner alone (it has no slurmhop mark), and its keys become known_hosts lines.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answeringJob, connectToJob, NotThisJobError } from '../../src/session/endpoint.js';
import { knownHostsLines } from '../../src/session/known-hosts.js';
import { readContact, writeContact, type Contact } from '../../src/state/contact.js';
import { connectTcp } from '../../src/state/tcp.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-node-sshd-');
const servers: net.Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

/** A server on 127.0.0.1 that greets every connection with `banner`. */
async function greeter(banner: string): Promise<number> {
  const server = net.createServer((socket) => socket.end(banner));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const contact = (port: number, more: Partial<Contact> = {}): Contact => ({
  version: 1, jobId: '501', profile: 'adopt', node: '127.0.0.1', port, user: 'jay', pid: 1, readyAt: '2026-01-01T00:00:00Z', transport: 'node-sshd', ...more,
});

describe('the node\'s sshd as the endpoint', () => {
  it('accepts any SSH server banner for node-sshd, and hands the banner on to the client', async () => {
    const port = await greeter('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n');
    const endpoint = await connectToJob(connectTcp, contact(port), 2_000);
    expect(endpoint.preread.toString()).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n');
    endpoint.socket.destroy();
  });

  it('refuses something that is not an SSH server; a tcp job still needs its slurmhop mark', async () => {
    const http = await greeter('HTTP/1.1 400 Bad Request\r\n\r\n');
    await expect(connectToJob(connectTcp, contact(http), 2_000)).rejects.toThrow(NotThisJobError);
    await expect(connectToJob(connectTcp, contact(http), 2_000)).rejects.toThrow(/not as the node's sshd/);
    const plain = await greeter('SSH-2.0-OpenSSH_9.2p1\r\n');
    await expect(connectToJob(connectTcp, contact(plain, { transport: 'tcp' }), 2_000)).rejects.toThrow(/not as job 501/);
  });

  it("a job's sshd that is busy (MaxStartups) is retried later, and its contact kept: only another server proves it wrong", async () => {
    const state = tmp();
    fs.mkdirSync(path.join(state, 'jobs', '700'), { recursive: true });
    const busy = await greeter('Exceeded MaxStartups\r\n');
    writeContact(state, contact(busy, { jobId: '700', transport: 'tcp' }));
    await expect(connectToJob(connectTcp, contact(busy, { transport: 'tcp' }), 2_000)).rejects.not.toThrow(NotThisJobError);
    expect(await answeringJob(state, 'adopt', connectTcp)).toBeUndefined();
    expect(readContact(state, '700')).toBeDefined();
  });

  it('the warm path finds a node-sshd contact that answers, and forgets one answered by something else', async () => {
    const state = tmp();
    for (const id of ['600', '601']) fs.mkdirSync(path.join(state, 'jobs', id), { recursive: true });
    writeContact(state, contact(await greeter('SSH-2.0-OpenSSH_9.2p1\r\n'), { jobId: '600' }));
    writeContact(state, contact(await greeter('HTTP/1.1 200 OK\r\n'), { jobId: '601' }));
    const found = await answeringJob(state, 'adopt', connectTcp);
    expect(found?.contact.jobId).toBe('600');
    found?.endpoint?.socket.destroy();
    expect(readContact(state, '601')).toBeUndefined();
    const again = await answeringJob(state, 'adopt', connectTcp);
    expect(again?.contact.jobId).toBe('600');
    again?.endpoint?.socket.destroy();
  });
});

describe('known_hosts lines from a contact', () => {
  const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJb4', 'ecdsa-sha2-nistp256 AAAAE2VjZHNh='];
  it('one line per host key, under the name asked for', () => {
    expect(knownHostsLines(contact(22, { hostKeys: keys }), 'slurmhop-hpc-node')).toEqual([
      'slurmhop-hpc-node ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJb4',
      'slurmhop-hpc-node ecdsa-sha2-nistp256 AAAAE2VjZHNh=',
    ]);
  });

  it('nothing for other transports, for no contact, for a damaged key or a name known_hosts cannot hold', () => {
    expect(knownHostsLines(contact(22, { hostKeys: keys, transport: 'tcp' }), 'x')).toEqual([]);
    expect(knownHostsLines(undefined, 'x')).toEqual([]);
    expect(knownHostsLines(contact(22, { hostKeys: ['ssh-ed25519 AAAA\nevil ssh-ed25519 BBBB', 'ssh-ed25519'] }), 'x')).toEqual([]);
    expect(knownHostsLines(contact(22, { hostKeys: keys }), 'a,*')).toEqual([]);
    expect(knownHostsLines(contact(22, { hostKeys: keys }), 'a b')).toEqual([]);
  });
});
