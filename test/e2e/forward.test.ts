// `slurmhop forward` against the local cluster, from a laptop the setup
// wizard configured (its login alias, shared connection and pinned job host
// key): a real web server in the job (python3 -m http.server on the node's
// loopback) reached at the local URL it prints, Ctrl-C typed in a real
// terminal ends it with exit 0 and no ssh left; no job: nothing submitted.
// And the wizard's profile step, which shows what is free now. User: pia.
import { execa } from 'execa';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { inTerminal } from '../setup/terminal.js';
import { homeOf, installRemote, jobsOf, onNode, resetUser, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';
import { sshProcessesOf, wizardLaptop, type WizardLaptop, SLURMHOP } from './wizard-laptop.js';

const USER = 'pia';
const tmp = tempDirs('slurmhop-forward-e2e-');
const SITE = `${homeOf(USER)}/forward-site`;
let laptop: WizardLaptop;

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, '[profile.cpu]\npartition = interactive\ntime = 20:00\n\n[profile.gpu]\npartition = gpu\ngres = gpu:1\ntime = 20:00\n');
  await resetUser(USER);
  laptop = await wizardLaptop(USER, tmp);
});

afterAll(async () => {
  await laptop?.dispose();
  await onNode('login', 'root', ['scancel', '-u', USER]);
  fs.rmSync(SITE, { recursive: true, force: true });
});

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
  });

describe('the wizard: what is free now, at the profile step', () => {
  itOnceOnBookworm('each profile: when its job would start, and what is idle in its partition (remote resources --json, through the wizard\'s connection)', () => {
    const step = laptop.wizard.slice(laptop.wizard.indexOf('== Profiles'), laptop.wizard.indexOf('== Pinning'));
    // An idle cluster (each test file starts from an empty queue of its user's jobs).
    expect(step).toMatch(/^ {3}free now: cpu +would start now, on c[12] +interactive: \d of 2 nodes idle, \d+ CPUs free, gpu [01] of 1 free(, \d+ jobs? waiting)?$/m);
    expect(step).toMatch(/^ {13}gpu +(would start now, on c2|would wait: start \S+ \S+ \(cluster time\)) +gpu: [01] of 1 nodes idle, \d+ CPUs free, gpu [01] of 1 free/m);
  });
});

describe('slurmhop forward', () => {
  itOnceOnBookworm('no job of the profile: exit 2, says how to start one, and submits nothing', async () => {
    const r = await laptop.slurmhop(['forward', 'cpu', '8765']);
    expect(r.exitCode, String(r.stderr)).toBe(2);
    expect(String(r.stderr)).toContain('you have no cpu job on local: nothing listens on port 8765 there');
    expect(String(r.stderr)).toContain('"slurmhop alloc cpu"');
    expect(await jobsOf(USER)).toEqual([]);
  });

  itOnceOnBookworm('a web server in the job answers at the printed URL; Ctrl-C in the terminal ends the forward (exit 0), nothing is left', async () => {
    fs.mkdirSync(SITE, { recursive: true });
    fs.writeFileSync(path.join(SITE, 'hello.txt'), 'served from the job\n');
    await execa('chown', ['-R', `${USER}:${USER}`, SITE]);
    expect((await laptop.slurmhop(['alloc', 'cpu'])).exitCode).toBe(0);
    const ssh = ['-F', laptop.sshConfig, '-T', '-o', 'BatchMode=yes', 'slurm-cpu'];
    // On the node's loopback only: the login node, and so the laptop, cannot reach it without the forward.
    // It stops when its session's input ends.
    const server = execa('ssh', [...ssh, `cd ${SITE} && { python3 -m http.server 8765 --bind 127.0.0.1 & cat >/dev/null; kill $!; }`], { reject: false, env: laptop.env, extendEnv: false, stdin: 'pipe' });
    await waitFor(async () => (await execa('ssh', [...ssh, 'grep -q ":223D 00000000:0000 0A" /proc/net/tcp'], { reject: false, env: laptop.env, extendEnv: false, stdin: 'ignore' })).exitCode === 0, 30_000, 'the web server in the job');

    const t = inTerminal([process.execPath, SLURMHOP, 'forward', 'cpu', '8765', '18765'], { env: laptop.env, cwd: laptop.home });
    const at = await t.waitFor(/http:\/\/127\.0\.0\.1:18765\/\n/);
    expect(t.screen()).toMatch(/slurmhop: port 8765 of c[12] \(job \d+\) is forwarded to http:\/\/127\.0\.0\.1:18765\/ on this computer; Ctrl-C ends it/);
    expect(t.screen()).not.toContain('nothing listens');
    const page = await fetch('http://127.0.0.1:18765/hello.txt');
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('served from the job\n');

    await t.type('\x03');
    await t.waitFor('slurmhop: the forward of port 8765 of', at);
    const r = await t.done;
    expect(r.exitCode, t.screen()).toBe(0);
    expect(await refused(18765)).toBe(true);
    // The job and its server are untouched: forward never ends what it did not start.
    expect((await jobsOf(USER)).map((j) => j.state)).toEqual(['RUNNING']);
    server.stdin!.end();
    expect((await server).exitCode).toBe(0);
    await waitFor(async () => (await sshProcessesOf(laptop)).length === 0, 10_000, 'the ssh of the forward to go');
  });

  itOnceOnBookworm('a local port that is taken: exit 2 before anything is forwarded; nothing listening on the node yet: said, and the forward waits for it', async () => {
    const taken = net.createServer().listen(18766, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const busy = await laptop.slurmhop(['forward', 'cpu', '8766', '18766']);
    taken.close();
    expect(busy.exitCode).toBe(2);
    expect(String(busy.stderr)).toContain('port 18766 on this computer is in use');

    const f = laptop.slurmhop(['forward', 'cpu', '8766']);
    let err = '';
    f.stderr!.on('data', (d) => (err += String(d)));
    await waitFor(() => err.includes('connections go through once it does'), 60_000, 'the forward');
    expect(err).toMatch(/nothing listens on port 8766 of c[12] yet/);
    // The same port here, as it was free; a connection now finds nothing on the node, and ssh's words for it are the laptop's.
    const page = await fetch('http://127.0.0.1:8766/').catch((e: Error) => e);
    expect(page).toBeInstanceOf(Error);
    await waitFor(() => err.includes('nothing answered on port 8766 of c'), 10_000, 'ssh\'s refusal, told');
    f.kill('SIGTERM');
    expect((await f).exitCode).toBe(0);
    await waitFor(async () => (await sshProcessesOf(laptop)).length === 0, 10_000, 'the ssh of the forward to go');
  });
});
