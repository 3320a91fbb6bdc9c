// slurmhop forward and the pieces it stands on: ports, the forward's ssh
// command line, its ready line (the node's script run by the real /bin/sh
// against this machine's /proc/net/tcp), ssh's messages in the laptop's
// words, and programs started so that a terminal's Ctrl-C does not reach
// them. The command's wiring runs with ssh recorded and a scripted session;
// the real chain: test/e2e/forward.test.ts.
import { execa } from 'execa';
import net from 'node:net';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { localPort, parsePort } from '../../src/laptop/ports.js';
import { lineSplitter, startProgram } from '../../src/laptop/start.js';
import { forwardScript, sshMessage } from '../../src/laptop/tunnel.js';
import { SetupError } from '../../src/setup/index.js';
import { laptopWorld } from './world.js';

const JOB = JSON.stringify([{ id: '42', profile: 'gpu', state: 'RUNNING', node: 'c1', ready: true }]);

describe('slurmhop forward', () => {
  it('ssh -L from the laptop\'s loopback to the node\'s, through the profile\'s host; the URL on stdout; Ctrl-C: exit 0 and the ssh ended', async () => {
    const w = laptopWorld({ jobs: JOB, lines: () => ['Welcome to the cluster', 'slurmhop-forward: ready c1 yes 42'] });
    const done = w.run('forward', 'gpu', '6006', '16006');
    await until(() => w.out.length > 0);
    expect(w.out.join('')).toBe('http://127.0.0.1:16006/\n');
    expect(w.err.join('')).toContain('slurmhop: port 6006 of c1 (job 42) is forwarded to http://127.0.0.1:16006/ on this computer; Ctrl-C ends it');
    expect(w.started).toHaveLength(1);
    expect(w.started[0]!.args).toEqual(['-T', '-o', 'LogLevel=INFO', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-o', 'ExitOnForwardFailure=yes', '-L', '127.0.0.1:16006:127.0.0.1:6006', 'slurm-gpu', '/bin/sh', '-s']);
    expect(w.started[0]!.input).toBe(forwardScript(6006));
    w.stop();
    expect(await done).toBe(0);
    expect(w.started[0]!.ended).toBe(true);
    expect(w.started[0]!.killed).toEqual(['SIGTERM']);
    expect(w.runs).toEqual(['ssh -T -o LogLevel=ERROR hpc .local/bin/remote list --json']);
  });

  it('no job of the profile: exit 2 with how to start one, and no ssh to the profile (nothing is submitted)', async () => {
    const w = laptopWorld({ jobs: '[]' });
    expect(await w.run('forward', 'gpu', '6006')).toBe(2);
    expect(w.err.join('')).toContain('you have no gpu job on hpc: nothing listens on port 6006 there');
    expect(w.err.join('')).toContain('start one ("slurmhop alloc gpu", or "ssh slurm-gpu")');
    expect(w.started).toEqual([]);
  });

  it('nothing listens on the node yet: said; ssh ending by itself (the job ended): exit 4 with what to check', async () => {
    const w = laptopWorld({ jobs: JOB, lines: () => ['slurmhop-forward: ready c2 no 42'] });
    const done = w.run('forward', 'gpu', '6006', '16007');
    await until(() => w.out.length > 0);
    expect(w.err.join('')).toContain('nothing listens on port 6006 of c2 yet (on 127.0.0.1 there); connections go through once it does');
    w.started[0]!.finish(255);
    expect(await done).toBe(4);
    expect(w.err.join('')).toContain('slurmhop: the forward of port 6006 of c2 ended (ssh exited 255)\nslurmhop: did the job end? "slurmhop list" shows your jobs');
  });

  it('ssh ends before the forward is ready (a local port taken meanwhile, no connection): exit 4', async () => {
    const w = laptopWorld({ jobs: JOB });
    const done = w.run('forward', 'gpu', '6006', '16008');
    await until(() => w.started.length > 0);
    w.started[0]!.finish(255);
    expect(await done).toBe(4);
    expect(w.err.join('')).toContain('the forward to slurm-gpu could not be made (ssh exited 255)');
    expect(w.out).toEqual([]);
  });

  it('bad ports and arguments: exit 2, nothing started', async () => {
    for (const args of [['gpu'], ['gpu', '0'], ['gpu', '70000'], ['gpu', 'x'], ['gpu', '6006', '1', '2'], ['gpu', '6006', 'abc']]) {
      const w = laptopWorld({ jobs: JOB });
      expect(await w.run('forward', ...args), args.join(' ')).toBe(2);
      expect(w.started).toEqual([]);
    }
  });
});

describe('ports', () => {
  it('parsePort: 1 to 65535', () => {
    expect(parsePort('8888', 'p')).toBe(8888);
    for (const bad of ['0', '65536', '-1', '88a', '', undefined]) expect(() => parsePort(bad, 'p')).toThrow(SetupError);
  });

  it('localPort: the one asked for, or an error when taken; else the remote one when free here, else any free one', async () => {
    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      await expect(localPort(busy, 6006)).rejects.toThrow(`port ${busy} on this computer is in use`);
      const free = await localPort(undefined, busy);
      expect(free).not.toBe(busy);
      expect(free).toBeGreaterThan(0);
      expect(await localPort(undefined, 6006, async (p) => (p === 6006 ? 6006 : undefined))).toBe(6006);
    } finally {
      taken.close();
    }
  });
});

describe("the forward's session on the node", () => {
  it('says ready with the node, whether the port listens on 127.0.0.1 or all addresses, and the job; ends when its input does', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const on = await execa('/bin/sh', ['-s'], { input: forwardScript(port), env: { PATH: process.env.PATH, SLURM_JOB_ID: '42' }, extendEnv: false });
      expect(on.stdout).toBe(`slurmhop-forward: ready ${os.hostname()} yes 42`);
    } finally {
      server.close();
    }
    const off = await execa('/bin/sh', ['-s'], { input: forwardScript(port), env: { PATH: process.env.PATH }, extendEnv: false });
    expect(off.stdout).toBe(`slurmhop-forward: ready ${os.hostname()} no `);
  });

  it("ssh's refused channel is told as what happened on the node; other lines pass as they are", () => {
    expect(sshMessage('channel 3: open failed: connect failed: Connection refused', 6006, () => 'c1')).toBe('nothing answered on port 6006 of c1 (127.0.0.1 there): Connection refused; start the program that listens there, then reload the page');
    expect(sshMessage('bind [127.0.0.1]:6006: Address already in use', 6006, () => 'c1')).toBe('bind [127.0.0.1]:6006: Address already in use');
  });
});

describe('programs left running', () => {
  it("a Ctrl-C typed in the terminal (SIGINT to the whole group) does not end them: the command stops them in order", async () => {
    const lines: string[] = [];
    const s = startProgram('/bin/sh', ['-c', 'kill -INT $$; echo still here; read x; echo "read $x"'], { onStdout: (l) => lines.push(l), onStderr: () => {} });
    s.write('bye\n');
    expect(await s.exited).toBe(0);
    expect(lines).toEqual(['still here', 'read bye']);
    // Without the wrapper the same shell dies of it.
    const plain = await execa('/bin/sh', ['-c', 'kill -INT $$; echo still here'], { reject: false });
    expect(plain.stdout).toBe('');
  });

  it('exit codes: a signal is 128 + n; lines split on \\n and \\r\\n, the last one without its end too', async () => {
    const s = startProgram('/bin/sh', ['-c', 'exec sleep 30'], { onStdout: () => {}, onStderr: () => {} });
    setTimeout(() => s.kill('SIGTERM'), 100);
    expect(await s.exited).toBe(143);
    const got: string[] = [];
    const split = lineSplitter((l) => got.push(l));
    split.push('a\r\nb');
    split.push('c\nd');
    split.end();
    expect(got).toEqual(['a', 'bc', 'd']);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
