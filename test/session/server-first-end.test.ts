// The lean relay's word on a session whose server side closed first while
// nothing yet said the job ended (relay-script.ts relay_finish): the job's
// sshd log decides where it can. Run for real: bash and dd against a TCP
// server on loopback that plays the job's sshd (it writes the sshd log of
// the connection, then closes it), with a recording `remote`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contactFile, sshdLogFile, statusFile } from '../../src/paths.js';
import { handoffArgv } from '../../src/session/handoff.js';
import { server } from '../helpers/tcp-server.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-server-first-');
const JOB = '42';
const STARTED = '{"event":"started","jobId":"42"}\n{"event":"ready","jobId":"42"}\n';
const ENDED = '{"event":"ended","jobId":"42","reason":"cancelled"}\n';

const accepted = (p: number) => `Accepted publickey for ada from 127.0.0.1 port ${p} ssh2: ED25519 SHA256:x\n`;
const goodbye = (p: number) => `Received disconnect from 127.0.0.1 port ${p}:11: disconnected by user\n`;

/** A state directory where the job runs (status, contact), and a `remote` that records session-ended. */
function runningJob() {
  const state = tmp();
  fs.mkdirSync(path.dirname(statusFile(state, JOB)), { recursive: true });
  fs.writeFileSync(statusFile(state, JOB), STARTED);
  // An sshd of OpenSSH 8.7 or later: a connect tells its listener alive (listener-probe.ts).
  fs.writeFileSync(contactFile(state, JOB), '{"sshdVersion":"OpenSSH_9.2p1"}\n');
  const record = path.join(state, 'ended');
  const remote = path.join(state, 'remote');
  fs.writeFileSync(remote, `#!/bin/bash\n[ "$1" != session-ended ] || echo "$2 $3" >>${JSON.stringify(record)}\n`, { mode: 0o755 });
  return { state, remote, ended: () => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim() : '') };
}

/**
 * The relay over a server that, for the relay's connection, writes the sshd
 * log (`log`, given the connection's port), closes it, then calls `afterClose`.
 * The listener stays open, as a job sshd's may for a moment after its signal.
 */
async function serverClosesFirst(log: ((port: number) => string) | undefined, afterClose: (client: { end: () => void }) => void = () => {}) {
  const job = runningJob();
  let first: net.Socket | undefined;
  const client = { end: () => {} };
  const port = await server((s) => {
    if (first) return void s.destroy(); // quiet_end's look at the listener
    first = s;
    if (log) fs.writeFileSync(sshdLogFile(job.state, JOB), log(s.remotePort!));
    setTimeout(() => {
      s.end();
      afterClose(client);
    }, 200);
  });
  const args = handoffArgv({
    contact: { version: 1, jobId: JOB, profile: 'cpu', node: '127.0.0.1', port, user: 'u', pid: 1, readyAt: '' },
    relay: { bash: '/bin/bash' },
    remote: [job.remote],
    statusSince: STARTED.length,
    stateDir: job.state,
  });
  const child = spawn(args[0]!, args.slice(1), { stdio: ['pipe', 'ignore', 'inherit'] });
  client.end = () => child.stdin.end();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { job, exited, stdin: child.stdin };
}

describe('the relay, where the server side closed first and nothing said the job ended', { timeout: 30_000 }, () => {
  it("the client's goodbye in the job's sshd log: an ordinary end, said by no one, without waiting for the client", async () => {
    const r = await serverClosesFirst((p) => `${accepted(p)}${goodbye(p)}`); // the client's end never comes
    expect(await r.exited).toBe(0);
    expect(r.job.ended()).toBe('');
    r.stdin.destroy();
  });

  it('the log shows the connection accepted and no goodbye: the job ended it (its sshd was signalled first), so the end is explained', async () => {
    // As in a scancel: the job's sshd dies before the job writes why; the client goes at once.
    const r = await serverClosesFirst((p) => accepted(p), (client) => setTimeout(client.end, 30));
    expect(await r.exited).toBe(0);
    expect(r.job.ended()).toBe(`${JOB} job`);
  });

  it("no log to tell: the client's end is waited for, and the job's end written meanwhile is explained", async () => {
    const r = await serverClosesFirst(undefined, (client) => {
      setTimeout(() => fs.appendFileSync(statusFile(r.job.state, JOB), ENDED), 20);
      setTimeout(client.end, 80);
    });
    expect(await r.exited).toBe(0);
    expect(r.job.ended()).toBe(`${JOB} client`);
  });

  it("no log to tell, and nothing written: the client's end within the window is an ordinary one", async () => {
    const r = await serverClosesFirst(undefined, (client) => setTimeout(client.end, 30));
    expect(await r.exited).toBe(0);
    expect(r.job.ended()).toBe('');
  });
});
