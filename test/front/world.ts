// A user's files for the front of `remote`, made by the real state code: the
// front as setup installs it (<home>/.local/bin/remote), beside it a
// recording stand-in for the executable (it records what the front hands
// over: the executable's own answer to the same files is session/warm.ts,
// run in-process by the tests over the very same fixture), a job's contact,
// index entry, liveness mark and status, the update marker, and an sshd
// stand-in on loopback that answers with a banner.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterEach } from 'vitest';
import path from 'node:path';
import { renderFront } from '../../src/front/index.js';
import { configDir, stateDir } from '../../src/paths.js';
import { appendStatus, writeContact, type Contact } from '../../src/state/index.js';
import { scheduleUpdateCheck, type ScheduleDeps } from '../../src/update/index.js';

export interface World {
  home: string;
  front: string;
  executable: string;
  state: string;
  config: string;
  env: NodeJS.ProcessEnv;
  /** The arguments the stand-in executable was run with, one array per run, the one-arena setting it saw and the sockets it inherited. */
  handedOver(): Array<{ args: string[]; arena: string; sockets: number }>;
}

export function makeWorld(dir: string, extraPath: string[] = []): World {
  const home = path.join(dir, 'home');
  const front = path.join(home, '.local/bin/remote');
  const executable = path.join(home, '.local/lib/slurmhop/remote');
  const record = path.join(dir, 'handed-over');
  fs.mkdirSync(path.dirname(front), { recursive: true });
  fs.mkdirSync(path.dirname(executable), { recursive: true });
  fs.writeFileSync(front, renderFront(), { mode: 0o755 });
  // It records its arguments, the one-arena setting and how many sockets it inherited (beyond 0-2),
  // then lives $STANDIN_HOLD seconds (none by default) before it exits 99.
  fs.writeFileSync(
    executable,
    `#!/bin/bash\nn=0; for f in /proc/$$/fd/*; do [ "\${f##*/}" -gt 2 ] && [[ $(readlink "$f") == socket:* ]] && n=$((n + 1)); done\n{ printf '%s\\037' "$@"; printf '\\036%s\\036%s\\n' "\${MALLOC_ARENA_MAX-}/\${SLURMHOP_ONE_ARENA-}" "$n"; } >>'${record}'\nsleep "\${STANDIN_HOLD:-0}"\nexit 99\n`,
    { mode: 0o755 },
  );
  const env = { HOME: home, PATH: [...extraPath, '/usr/bin', '/bin'].join(':'), LANG: 'C.UTF-8' };
  return {
    home,
    front,
    executable,
    state: stateDir(env),
    config: configDir(env),
    env,
    handedOver: () =>
      fs.existsSync(record)
        ? fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => {
            const [args, arena, sockets] = l.split('\x1e');
            return { args: args!.split('\x1f').slice(0, -1), arena: arena!, sockets: Number(sockets) };
          })
        : [],
  };
}

export interface Sshd {
  port: number;
  connections: () => number;
  /** Connections closed (the client ended its side, or reset it). */
  closed: () => number;
  sockets: net.Socket[];
  /** Stops listening and drops every connection (a job's sshd that Slurm stopped). */
  stop(): Promise<void>;
  /** Stops listening, the connections kept (its port free for another listener). */
  closeListener(): Promise<void>;
}

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** Answers each connection with `banner`, echoes what it gets, and ends when the client has. */
export async function sshd(banner: string): Promise<Sshd> {
  let n = 0;
  let closed = 0;
  const sockets: net.Socket[] = [];
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    n++;
    sockets.push(s);
    s.on('error', () => {});
    s.write(banner);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('close', () => closed++);
  });
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const stop = () =>
    new Promise<void>((resolve) => {
      srv.close(() => resolve());
      sockets.forEach((s) => s.destroy());
    });
  const closeListener = async () => {
    srv.close(); // the listening socket goes at once; the close event waits for the connections
    await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { port: (srv.address() as net.AddressInfo).port, connections: () => n, closed: () => closed, sockets, stop, closeListener };
}

/** The software the fixture's sshd says it is (jobBanner), and a job's contact then records. */
const SSHD_VERSION = 'OpenSSH_9.2p1';
export const jobBanner = (job: string) => `SSH-2.0-${SSHD_VERSION} slurmhop-${job}\r\n`;

export interface JobFixture {
  job: string;
  profile?: string;
  port: number;
  transport?: Contact['transport'];
  /** The liveness mark: written now, written long ago, or none (with alive: false in the contact, as older jobs write it). */
  mark?: 'fresh' | 'stale' | 'none';
  /** The job's sshd's version in its contact: jobBanner's by default; null for none (as older jobs write it). */
  sshdVersion?: string | null;
}

/** A running job as the job itself leaves it (state/contact.ts, state/alive.ts, state/status.ts). */
export function runningJob(world: World, f: JobFixture): Contact {
  const profile = f.profile ?? 'cpu';
  const mark = f.mark ?? 'fresh';
  const sshdVersion = f.sshdVersion === undefined ? SSHD_VERSION : f.sshdVersion;
  const contact: Contact = { version: 1, jobId: f.job, profile, node: '127.0.0.1', port: f.port, user: 'u', pid: 1, readyAt: new Date().toISOString(), ...(f.transport ? { transport: f.transport } : {}), alive: mark !== 'none', ...(sshdVersion ? { sshdVersion } : {}) };
  fs.mkdirSync(path.join(world.state, 'jobs', f.job), { recursive: true, mode: 0o700 });
  appendStatus(world.state, { event: 'started', jobId: f.job, profile, node: 'c1' });
  if (mark !== 'none') {
    const alive = path.join(world.state, 'jobs', f.job, 'alive');
    fs.writeFileSync(alive, '3\n');
    if (mark === 'stale') fs.utimesSync(alive, new Date(Date.now() - 20_000), new Date(Date.now() - 20_000));
  }
  appendStatus(world.state, { event: 'ready', jobId: f.job, profile, node: 'c1', port: f.port, contact });
  writeContact(world.state, contact);
  return contact;
}

export function scheduleDeps(world: World, settings: ScheduleDeps['settings'], now = Date.now, spawned: string[][] = []): ScheduleDeps {
  return { stateDir: world.state, configDir: world.config, settings, now, command: ['/bin/false'], spawnDetached: (c) => void spawned.push(c) };
}

/**
 * The update marker as a connect through the executable leaves it (update/schedule.ts):
 * `never` (no repository), `later` (checked a moment ago) or `past` (a check is due).
 */
export function updateState(world: World, due: 'never' | 'later' | 'past'): void {
  fs.mkdirSync(world.config, { recursive: true });
  const ini = path.join(world.config, 'config.ini');
  fs.rmSync(ini, { force: true });
  if (due !== 'past') fs.writeFileSync(ini, due === 'never' ? '[profile.cpu]\npartition = batch\n' : '[update]\nrepository = file:///srv/releases.git\n');
  const settings = () => (due === 'never' ? { autoUpdate: true, checkInterval: 86_400 } : { repository: 'file:///srv/releases.git', autoUpdate: true, checkInterval: due === 'past' ? 60 : 86_400 });
  // A config.ini is settled 2 s after its last change (mtime and ctime, update/schedule.ts seenSettings):
  // the connect that wrote the marker ran 10 s from now. `past`: a connect two minutes ago
  // (no config.ini) started a check; the next was due a minute later.
  const at = due === 'past' ? () => Date.now() - 120_000 : () => Date.now() + 10_000;
  scheduleUpdateCheck(scheduleDeps(world, settings, at));
}

export interface FrontRun {
  /** The first line on stdout: the job sshd's banner, when the front took the warm path. */
  banner?: string;
  exitCode: number | null;
  stderr: string;
  /** Milliseconds from the end of the client's input to the close of the front's stdout (warm path only). */
  closedAfterMs?: number;
}

/**
 * Runs the front as the ProxyCommand does; on the warm path, ends the
 * client's side after the banner (`during()` first; never with keepInput)
 * and waits for the end.
 */
/** ignorePipe: SIGPIPE ignored from the start, as a service's children inherit it (Node's spawn resets it otherwise). */
export function runFront(world: World, args: string[], options: { env?: NodeJS.ProcessEnv; during?: () => Promise<void> | void; keepInput?: boolean; ignorePipe?: boolean } = {}): Promise<FrontRun> {
  const [file, argv] = options.ignorePipe ? ['/bin/bash', ['-c', `trap '' PIPE; exec "$0" "$@"`, world.front, ...args]] : [world.front, args];
  const child = spawn(file, argv, { env: { ...world.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  let banner: string | undefined;
  let ended = 0;
  let closedAfterMs: number | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const closed = new Promise<void>((resolve) => child.stdout.on('close', () => {
    if (ended) closedAfterMs = Date.now() - ended;
    resolve();
  }));
  child.stdout.on('data', async (d: Buffer) => {
    out += d;
    if (banner === undefined && out.includes('\n')) {
      banner = out.slice(0, out.indexOf('\n') + 1);
      await options.during?.();
      if (options.keepInput) return;
      ended = Date.now();
      child.stdin.end();
    }
  });
  return new Promise((resolve) => child.on('exit', async (code) => {
    child.stdin.destroy();
    await closed;
    resolve({ ...(banner !== undefined ? { banner } : {}), exitCode: code, stderr, ...(closedAfterMs !== undefined ? { closedAfterMs } : {}) });
  }));
}

/**
 * A job whose contact and index entry carry `name` where a profile's name goes,
 * as a crafted or damaged file could: a front that took `name` for a profile
 * would find it and relay (the bait).
 */
export function bait(world: World, name: string, port: number): void {
  const entry = `${world.state}/live/${name}/13`;
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  fs.writeFileSync(entry, '');
  fs.mkdirSync(path.join(world.state, 'jobs', '13'), { recursive: true });
  fs.writeFileSync(path.join(world.state, 'jobs', '13', 'alive'), '1\n');
  fs.writeFileSync(path.join(world.state, 'jobs', '13', 'contact'), `${JSON.stringify({ version: 1, jobId: '13', profile: name, node: '127.0.0.1', port, user: 'u', pid: 1, readyAt: '', alive: true })}\n`);
}
