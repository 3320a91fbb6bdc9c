// The look for the client's goodbye, on a real connection: whether the job's
// sshd logged the client's ordinary goodbye as the last word on this
// connection, found by its local port. Both of its forms over the same logs:
// the lean relay's (relay-script.ts bye_start, bye_answer), in the bash that
// runs it, and the Node relay's (said-bye.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/fsutil.js';
import { sshdLogFile } from '../../src/paths.js';
import { laterText, LOCAL_ADDRESS } from '../../src/session/relay-script.js';
import { clientSaidBye } from '../../src/session/said-bye.js';
import { server } from '../helpers/tcp-server.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-bye-');
const JOB = '42';

type Log = ((port: number) => string) | undefined;

/** A server that, once it knows the connection's port, writes the job's sshd log as `log` says, then says go. */
async function sshdLogging(log: Log): Promise<{ state: string; port: number }> {
  const state = tmp();
  const port = await server((socket) => {
    if (log) {
      fs.mkdirSync(path.dirname(sshdLogFile(state, JOB)), { recursive: true });
      fs.writeFileSync(sshdLogFile(state, JOB), log(socket.remotePort!));
    }
    socket.end('go\n');
  });
  return { state, port };
}

/** Both forms' answer over one log: yes, no or cannot tell; where they differ, both. */
async function saidBye(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const [bash, node] = await Promise.all([saidByeBash(log, env), saidByeNode(log)]);
  return bash === node ? bash : `bash: ${bash}, node: ${node}`;
}

/** The Node relay's form, with the connection's local end as open.ts takes it. */
async function saidByeNode(log: Log): Promise<string> {
  const { state, port } = await sshdLogging(log);
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('data', resolve));
  const answer = clientSaidBye(state, JOB, { address: socket.localAddress, port: socket.localPort });
  socket.destroy();
  return ({ yes: 'yes', no: 'no', unknown: 'cannot tell' } as Record<string, string>)[answer]!;
}

/** Connects bash to the server; bash then answers yes, no or cannot tell. */
async function saidByeBash(log: Log, env: NodeJS.ProcessEnv): Promise<string> {
  const { state, port } = await sshdLogging(log);
  // The session's own function (slurmhop_local_address), then the end's text, as the relay has them.
  const script = 'eval "$1"; state=$2 job=$3; exec 3<>"/dev/tcp/127.0.0.1/$4"; read -r -u 3 _; bye_start; bye_answer; echo "$?"';
  const child = spawn('/bin/bash', ['-c', script, 'bye', `${LOCAL_ADDRESS}\n${laterText()}`, state, JOB, String(port)], { env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('exit', resolve));
  return ({ '0': 'yes', '1': 'no', '2': 'cannot tell' } as Record<string, string>)[out.trim()] ?? out.trim();
}

const accepted = (p: number) => `Accepted publickey for ada from 127.0.0.1 port ${p} ssh2: ED25519 SHA256:x\n`;
const bye = (p: number, code = 11) => `Received disconnect from 127.0.0.1 port ${p}:${code}: disconnected by user\nDisconnected from user ada 127.0.0.1 port ${p}\n`;

/** A PATH with only these programs: perl's way (getsockname) or /proc/net/tcp's (readlink), each alone. */
function only(...programs: string[]): NodeJS.ProcessEnv {
  const bin = tmp();
  for (const program of programs) fs.symlinkSync(findOnPath(program, process.env)!, path.join(bin, program));
  return { ...process.env, PATH: bin };
}
const perlWay = () => only('perl', 'grep');
const procWay = () => only('readlink', 'grep');

describe("the relays' look for the client's goodbye (bash's bye_start, bye_answer; Node's clientSaidBye)", () => {
  it("yes: the sshd's last word on this connection is the client's goodbye (its address from perl, or from /proc/net/tcp)", async () => {
    for (const env of [perlWay(), procWay()]) {
      expect(await saidBye((p) => `Server listening on 0.0.0.0 port 1.\n${accepted(p)}${bye(p)}`, env)).toBe('yes');
      expect(await saidBye((p) => `${bye(p)}${accepted(p)}`, env)).toBe('no');
    }
  });

  it('no: the connection was accepted and nothing more (the job ended it)', async () => {
    expect(await saidBye((p) => `${bye(p)}${accepted(p)}`)).toBe('no');
    expect(await saidBye((p) => accepted(p))).toBe('no');
  });

  it("another connection's lines count for nothing: another port, or a port this one's digits begin", async () => {
    expect(await saidBye((p) => `${accepted(p)}${bye(p + 1)}`)).toBe('no');
    expect(await saidBye((p) => `${accepted(p)}${bye(p * 10 + 1)}`)).toBe('no');
    expect(await saidBye((p) => `${accepted(p)}${bye(p)}${accepted(p * 10 + 1)}`)).toBe('yes');
    expect(await saidBye((p) => `${accepted(p + 1)}${bye(p + 1)}`)).toBe('cannot tell');
  });

  it('yes: an OpenSSH before 7.5 logs "Disconnected from ADDR port PORT" after the goodbye, which is no word of its own', async () => {
    const old = (p: number) => `${accepted(p)}Received disconnect from 127.0.0.1 port ${p}:11: disconnected by user\nDisconnected from 127.0.0.1 port ${p}\n`;
    for (const env of [perlWay(), procWay()]) expect(await saidBye(old, env)).toBe('yes');
    expect(await saidBye((p) => `${accepted(p)}Disconnected from 127.0.0.1 port ${p}\n`)).toBe('no');
  });

  it("Node's form: an IPv4 address written as IPv6-mapped is the IPv4 sshd logs; no address, no answer", () => {
    const state = tmp();
    fs.mkdirSync(path.dirname(sshdLogFile(state, JOB)), { recursive: true });
    fs.writeFileSync(sshdLogFile(state, JOB), `${accepted(5000)}${bye(5000)}`);
    expect(clientSaidBye(state, JOB, { address: '::ffff:127.0.0.1', port: 5000 })).toBe('yes');
    expect(clientSaidBye(state, JOB, { address: undefined, port: undefined })).toBe('unknown');
  });

  it('no: a disconnect for another reason (a protocol error)', async () => {
    expect(await saidBye((p) => `${accepted(p)}${bye(p, 2)}`)).toBe('no');
  });

  it('cannot tell: no log, or the connection not in it', async () => {
    expect(await saidBye(undefined)).toBe('cannot tell');
    expect(await saidBye(() => 'Server listening on 0.0.0.0 port 1.\n')).toBe('cannot tell');
  });
});
