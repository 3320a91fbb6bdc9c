// The lean relay that `remote proxy` hands the session to (bash with two dd),
// run for real against a TCP server on loopback, with a recording `remote`
// for what it runs afterwards: it half-closes, and it says how the session ended.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { server } from '../helpers/tcp-server.js';
import { handoffArgv } from '../../src/session/handoff.js';
import { findOnPath } from '../../src/fsutil.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-handoff-');

/** `remote` as the relay runs it: shutdown-write really half-closes (as the real command does), session-ended is recorded. */
function fakeRemote(dir: string): { command: string; ended: () => string; halfClosed: () => boolean } {
  const record = path.join(dir, 'ended');
  const halfClose = path.join(dir, 'half-closed');
  const command = path.join(dir, 'remote');
  fs.writeFileSync(
    command,
    `#!/bin/bash
case $1 in
  shutdown-write) : >${JSON.stringify(halfClose)}; exec ${JSON.stringify(process.execPath)} -e 'new (require("net").Socket)({ fd: 0, readable: false, writable: true }).end()' ;;
  session-ended) echo "$2 $3" >>${JSON.stringify(record)} ;;
esac
`,
    { mode: 0o755 },
  );
  return { command, ended: () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim() : ''), halfClosed: () => fs.existsSync(halfClose) };
}

/** A PATH with what the relay runs but perl and python3: its half-close is then `remote shutdown-write`, which the fake records. */
function pathWithoutPerl(): string {
  const bin = tmp();
  for (const program of ['dd', 'sleep', 'cat', 'rm', 'grep', 'readlink']) fs.symlinkSync(findOnPath(program, process.env)!, path.join(bin, program));
  return bin;
}

function runRelay(port: number, remote: string, registration?: string, env: NodeJS.ProcessEnv = process.env) {
  const [bash, ...args] = handoffArgv({
    contact: { version: 1, jobId: '42', profile: 'cpu', node: '127.0.0.1', port, user: 'u', pid: 1, readyAt: '', ...(registration ? { transport: 'node-sshd' as const } : {}) },
    relay: { bash: '/bin/bash' },
    remote: [remote],
    ...(registration ? { registration } : {}),
  });
  const child = spawn(bash!, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Closed when no process holds the session's output any more (under srun, the step lasts until then).
  const outputClosed = new Promise<'closed'>((resolve) => child.stdout.on('close', () => resolve('closed')));
  return { child, exited, outputClosed, output: () => Buffer.concat(out).toString() };
}

describe('the lean relay (bash and dd)', { timeout: 30_000 }, () => {
  it('the client ends first: the server sees the end of input, can still answer, and the end is the client\'s', async () => {
    let received = '';
    const port = await server((s) => {
      s.on('data', (d) => (received += d));
      // EOF reached the server: it answers a moment later (the relay waits for it), then closes.
      s.on('end', () => setTimeout(() => s.end(`bye after ${received}`), 300));
    });
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command);
    r.child.stdin.end('hello');
    expect(await r.exited).toBe(0);
    expect(r.output()).toBe('bye after hello');
    expect(remote.ended()).toBe('42 client');
    const late = new Promise<'still held'>((resolve) => setTimeout(() => resolve('still held'), 3000));
    expect(await Promise.race([r.outputClosed, late])).toBe('closed');
  });

  it("the client ends first after its goodbye, and the server closes on it: no half-close is started (it costs a program's start)", async () => {
    // As ssh does: its goodbye, then its end; the job's sshd closes on the goodbye a moment later.
    const port = await server((s) => s.on('data', (d) => String(d).includes('goodbye') && setTimeout(() => s.end('closed on the goodbye'), 15)));
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command, undefined, { ...process.env, PATH: pathWithoutPerl() });
    r.child.stdin.end('goodbye');
    expect(await r.exited).toBe(0);
    expect(r.output()).toBe('closed on the goodbye');
    expect(remote.halfClosed()).toBe(false);
  });

  it('the client ends first and the server waits for the end of input: it is half-closed, and still answers', async () => {
    let received = '';
    const port = await server((s) => {
      s.on('data', (d) => (received += d));
      s.on('end', () => s.end(`bye after ${received}`));
    });
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command, undefined, { ...process.env, PATH: pathWithoutPerl() });
    r.child.stdin.end('hello');
    expect(await r.exited).toBe(0);
    expect(r.output()).toBe('bye after hello');
    expect(remote.halfClosed()).toBe(true);
  });

  it('the server closes first: everything it sent arrives, and the end is the server\'s', async () => {
    const port = await server((s) => s.end('last words'));
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command); // stdin stays open, as ssh's does
    expect(await r.exited).toBe(0);
    expect(r.output()).toBe('last words');
    expect(remote.ended()).toBe('42 server');
    r.child.stdin.destroy();
  });

  it('a connection reset is reported as lost, not as an ordinary end', async () => {
    const port = await server((s) => s.once('data', () => s.resetAndDestroy()));
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command);
    r.child.stdin.write('anything');
    expect(await r.exited).toBe(0);
    expect(remote.ended()).toBe('42 lost');
    r.child.stdin.destroy();
  });

  it("ssh's SIGHUP at its exit ends the relay as the client's end, and leaves no dd holding the connection", async () => {
    let closed = false;
    const port = await server((s) => s.on('end', () => (closed = true)));
    const remote = fakeRemote(tmp());
    const r = runRelay(port, remote.command);
    await new Promise((resolve) => setTimeout(resolve, 300)); // connected, both dd running
    r.child.kill('SIGHUP');
    expect(await r.exited).toBe(0);
    expect(remote.ended()).toBe('42 client');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(true);
    r.child.stdin.destroy();
  });

  it('transport = node-sshd: registers the address it connects from, as the node sees the connection in /proc/net/tcp, and removes it at the end', async () => {
    let peer = '';
    const port = await server((s) => {
      const ip = s.remoteAddress!.replace('::ffff:', '').split('.').map(Number);
      // /proc/net/tcp's form: the IPv4 address as a little-endian hex word, then the port.
      peer = `${Buffer.from(ip).readUInt32LE(0).toString(16).toUpperCase().padStart(8, '0')}:${s.remotePort!.toString(16).toUpperCase().padStart(4, '0')}`;
      s.on('end', () => s.end());
    });
    const dir = tmp();
    const registration = path.join(dir, 'relays', 'login-1');
    const remote = fakeRemote(dir);
    const r = runRelay(port, remote.command, registration);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fs.readFileSync(registration, 'utf8').trim()).toBe(peer);
    r.child.stdin.end();
    expect(await r.exited).toBe(0);
    expect(fs.existsSync(registration)).toBe(false);
  });
});
