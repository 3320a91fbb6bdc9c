// The warm path twice over the same state files: the front of `remote` (bash,
// no Node) and the executable's own (session/warm.ts, in-process here). The
// front takes the warm path only where the executable would hand off to the
// same job, connects once, and steps aside, having changed nothing, in every
// case the executable must decide: then it runs the executable with the same
// arguments.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tryWarmHandoff } from '../../src/session/warm.js';
import { WARM_CONNECT_TIMEOUT_MS } from '../../src/session/endpoint.js';
import { scheduleUpdateCheck } from '../../src/update/index.js';
import { unansweredPort } from '../helpers/tcp-server.js';
import { tempDirs } from '../helpers/tmp.js';
import { bait, jobBanner, makeWorld, runFront, runningJob, scheduleDeps, sshd, updateState, type World } from './world.js';

const tmp = tempDirs('slurmhop-front-');
const savedEnv = { ...process.env };
const savedExecve = process.execve;
afterEach(() => {
  process.env = { ...savedEnv };
  process.execve = savedExecve;
});

/** session/warm.ts over the world's files, as the executable's fast path runs it; the execve is recorded, not done. */
async function executableWarm(world: World, profile: string, spawned: string[][] = []): Promise<{ handedOff: boolean; job?: string; port?: string; transport?: string }> {
  process.env.XDG_STATE_HOME = path.dirname(world.state);
  process.env.XDG_CONFIG_HOME = path.dirname(world.config);
  let argv: string[] | undefined;
  process.execve = ((_file: string, args: string[]) => void (argv = args)) as typeof process.execve;
  const schedule = () => void scheduleUpdateCheck(scheduleDeps(world, () => ({ repository: 'file:///srv/releases.git', autoUpdate: true, checkInterval: 86_400 }), Date.now, spawned));
  const handedOff = await tryWarmHandoff(profile, schedule);
  if (!argv) return { handedOff };
  // handoff.ts handoffArgv: bash -p -c SCRIPT slurmhop-session LATER TRANSPORT NODE PORT JOB ...
  const [transport, , port, job] = argv.slice(6);
  return { handedOff, job: job!, port: port!, transport: transport! };
}

/** The fixture sshd took one of `counts` connections, each closed by the time both programs ended; Node may accept a little late. */
async function connectionsClosed(server: { connections(): number; closed(): number }, counts: number[]): Promise<void> {
  const most = Math.max(...counts);
  for (let i = 0; i < 100 && (server.connections() < most || server.closed() < server.connections()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(counts).toContain(server.connections());
  expect(server.closed()).toBe(server.connections());
}

/** A directory whose `stat` answers `seconds` late, as a slow network home's lookups do. */
function slowStat(seconds: number): string {
  const dir = tmp();
  const real = ['/usr/bin/stat', '/bin/stat'].find((p) => fs.existsSync(p))!;
  fs.writeFileSync(path.join(dir, 'stat'), `#!/bin/sh\nsleep ${seconds}\nexec ${real} "$@"\n`, { mode: 0o755 });
  return dir;
}

const tcpWorld = async (mark: 'fresh' | 'stale' | 'none' = 'fresh', extraPath: string[] = []) => {
  const world = makeWorld(tmp(), extraPath);
  const server = await sshd(jobBanner('12'));
  runningJob(world, { job: '12', port: server.port, mark });
  updateState(world, 'never');
  return { world, server };
};

// Each case takes ~0.1 s; one stalled past vitest's 5 s once in a CI run (not reproduced in 300
// runs under load): the longer limit tells a bounded stall (a timeout in the chain) from a hang.
describe('the front and the executable over the same state files', { timeout: 20_000 }, () => {
  it('a running job: the front relays with one connect and no Node; the executable would hand off to the same job', async () => {
    const { world, server } = await tcpWorld();
    const r = await runFront(world, ['proxy', 'cpu']);
    expect(r.banner).toBe(jobBanner('12'));
    expect(r.exitCode, r.stderr).toBe(0);
    // The session, then the look at the job's sshd at its end (session/relay-script.ts quiet_end): no second session connect.
    expect(server.connections()).toBe(2);
    expect(world.handedOver()).toEqual([]);
    expect(await executableWarm(world, 'cpu')).toEqual({ handedOff: true, job: '12', port: String(server.port), transport: 'tcp' });
  });

  it('a login environment with $BASH_ENV (Lmod sites export one) and an exported function: nothing of theirs reaches the SSH stream', async () => {
    const { world } = await tcpWorld();
    const bashEnv = path.join(tmp(), 'bash_env');
    fs.writeFileSync(bashEnv, 'echo "from BASH_ENV"\n');
    const r = await runFront(world, ['proxy', 'cpu'], { env: { BASH_ENV: bashEnv, 'BASH_FUNC_dd%%': '() { echo "from a function"; }' } });
    expect(r.banner).toBe(jobBanner('12'));
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('--current follows the current file as the executable does', async () => {
    const { world } = await tcpWorld();
    fs.writeFileSync(path.join(world.state, 'current'), `${JSON.stringify({ profile: 'cpu', jobId: '12' })}\n`);
    expect((await runFront(world, ['proxy', '--current'])).banner).toBe(jobBanner('12'));
    expect(world.handedOver()).toEqual([]);
    expect((await executableWarm(world, '--current')).job).toBe('12');
  });

  it('a job of an older version (no liveness mark): the front relays', async () => {
    const { world } = await tcpWorld('none');
    expect((await runFront(world, ['proxy', 'cpu'])).banner).toBe(jobBanner('12'));
    expect((await executableWarm(world, 'cpu')).handedOff).toBe(true);
  });

  it('of two jobs, the newer whose contact is readable, as the executable picks it', async () => {
    const world = makeWorld(tmp());
    const old = await sshd(jobBanner('9'));
    const newer = await sshd(jobBanner('10'));
    runningJob(world, { job: '9', port: old.port });
    runningJob(world, { job: '10', port: newer.port });
    // A newest entry whose contact this login node cannot read yet (a network home): skipped by both.
    fs.mkdirSync(path.join(world.state, 'live', 'cpu'), { recursive: true });
    fs.writeFileSync(path.join(world.state, 'live', 'cpu', '11'), '');
    updateState(world, 'never');
    expect((await runFront(world, ['proxy', 'cpu'])).banner).toBe(jobBanner('10'));
    expect(old.connections()).toBe(0);
    expect((await executableWarm(world, 'cpu')).job).toBe('10');
  });

  // Each: what is changed, what the executable then does, and whether the front had connected
  // before it found it (it connects as soon as the contact is chosen, and reads the liveness mark
  // and the update marker while the job's sshd prepares its banner; a stale mark may cut the
  // connect short, so either).
  type Connects = 'connects first' | 'no connect' | 'either';
  const asides: Array<[string, (w: World, s: { port: number }) => void | Promise<void>, 'hands-off' | 'not-warm', Connects]> = [
    ['a stale liveness mark', (w) => fs.utimesSync(path.join(w.state, 'jobs/12/alive'), new Date(Date.now() - 20_000), new Date(Date.now() - 20_000)), 'not-warm', 'either'],
    ['no liveness mark where the contact promises one', (w) => fs.rmSync(path.join(w.state, 'jobs/12/alive')), 'not-warm', 'connects first'],
    ['an update check that is due', (w) => updateState(w, 'past'), 'hands-off', 'connects first'],
    ['no update marker (no connect through the executable yet)', (w) => fs.rmSync(path.join(w.state, 'update/next-check')), 'hands-off', 'connects first'],
    ['config.ini edited after the update marker (in place, a second later)', async (w) => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      fs.appendFileSync(path.join(w.config, 'config.ini'), '[update]\nrepository = file:///srv/releases.git\n');
    }, 'hands-off', 'connects first'],
    ['config.ini replaced by a file dated two hours earlier (mv, a restored backup)', (w) => {
      const ini = path.join(w.config, 'config.ini');
      fs.writeFileSync(`${ini}.new`, '[update]\nrepository = file:///srv/releases.git\n');
      fs.utimesSync(`${ini}.new`, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
      fs.renameSync(`${ini}.new`, ini);
    }, 'hands-off', 'connects first'],
    ['an update check started later than now (a login node whose clock is ahead)', (w) => {
      const checks = path.join(w.state, 'update/checks.json');
      fs.writeFileSync(checks, JSON.stringify({ ...JSON.parse(fs.readFileSync(checks, 'utf8')), startedAt: Date.now() + 60_000 }));
      // As the executable writes the marker for it: the check counts from then on.
      const marker = path.join(w.state, 'update/next-check');
      fs.writeFileSync(marker, fs.readFileSync(marker, 'utf8').replace(/^(\S+) \S+/, `${Math.floor(Date.now() / 1000) + 86_400} ${Math.ceil(Date.now() / 1000) + 60}`));
    }, 'hands-off', 'connects first'],
    ['an update installed or rolled back since the front was written (update/current.json newer than it)', (w) => {
      const current = path.join(w.state, 'update/current.json');
      fs.writeFileSync(current, '{"version":null,"pinned":false,"changedAt":""}\n');
      fs.utimesSync(current, new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
    }, 'hands-off', 'no connect'],
    ['a contact the front cannot read as the job writes it (spaces)', (w) => fs.writeFileSync(path.join(w.state, 'jobs/12/contact'), JSON.stringify(JSON.parse(fs.readFileSync(path.join(w.state, 'jobs/12/contact'), 'utf8')), null, 1)), 'hands-off', 'no connect'],
    ['a contact of another version', (w) => fs.writeFileSync(path.join(w.state, 'jobs/12/contact'), fs.readFileSync(path.join(w.state, 'jobs/12/contact'), 'utf8').replace('"version":1', '"version":2')), 'not-warm', 'no connect'],
    ['SLURMHOP_NODE_RELAY=1', () => {}, 'not-warm', 'no connect'],
  ];

  it.each(asides)('%s: the front runs the executable, holding no connection', async (_, change, executable, connects) => {
    const { world, server } = await tcpWorld();
    await change(world, server);
    const env = _ === 'SLURMHOP_NODE_RELAY=1' ? { SLURMHOP_NODE_RELAY: '1' } : {};
    const r = await runFront(world, ['proxy', 'cpu'], { env });
    expect(r.banner).toBeUndefined();
    expect(r.exitCode).toBe(99);
    expect(world.handedOver()).toEqual([{ args: ['proxy', 'cpu'], arena: expect.any(String), sockets: 0 }]);
    await connectionsClosed(server, connects === 'either' ? [0, 1] : connects === 'connects first' ? [1] : [0]);
    Object.assign(process.env, env);
    expect((await executableWarm(world, 'cpu')).handedOff).toBe(executable === 'hands-off');
  });

  it('a read of the state that stalls past the connect deadline (a slow network home): the front steps aside, alive, and lets go of its connect', async () => {
    const { world, server } = await tcpWorld();
    const marker = path.join(world.state, 'update/next-check');
    const line = fs.readFileSync(marker, 'utf8');
    fs.rmSync(marker);
    spawnSync('mkfifo', [marker]);
    // The marker's text comes 4 s late (the deadline is 3 s).
    const writer = spawn('/bin/sh', ['-c', 'sleep 4; printf %s "$1" >"$2"', 'sh', line, marker], { stdio: 'ignore' });
    const r = await runFront(world, ['proxy', 'cpu']);
    writer.kill();
    expect(r.exitCode, r.stderr).toBe(99);
    expect(world.handedOver()).toEqual([{ args: ['proxy', 'cpu'], arena: expect.any(String), sockets: 0 }]);
    // The marker is read while the job's sshd prepares its banner: the connect was made, and let go.
    await connectionsClosed(server, [1]);
  });

  it("a stale liveness mark on a node that does not answer (its SYNs dropped): the front steps aside before the connect's deadline", async () => {
    // A home whose stat answers 0.3 s late: the connect is surely waiting when the helper finds the mark stale.
    const world = makeWorld(tmp(), [slowStat(0.3)]);
    runningJob(world, { job: '12', port: await unansweredPort(), mark: 'stale' });
    updateState(world, 'never');
    const started = Date.now();
    const r = await runFront(world, ['proxy', 'cpu']);
    expect(r.exitCode, r.stderr).toBe(99);
    expect(world.handedOver()).toEqual([{ args: ['proxy', 'cpu'], arena: expect.any(String), sockets: 0 }]);
    // The stale mark cut the connect short, where a connect left waiting meets the deadline (the case below).
    expect(Date.now() - started).toBeLessThan(WARM_CONNECT_TIMEOUT_MS);
  });

  it('a stat slower than the helper\'s stop (a slow home) finds the mark stale after the front ran the executable: no ALRM reaches it, SIGPIPE ignored too', async () => {
    const { world, server } = await tcpWorld('stale', [slowStat(1.5)]);
    await server.stop(); // the connect is refused: the front steps aside while the helper's stat still runs
    const r = await runFront(world, ['proxy', 'cpu'], { ignorePipe: true, env: { STANDIN_HOLD: '2.5' } });
    expect(r.exitCode, r.stderr).toBe(99); // 142 where an ALRM killed it
    expect(world.handedOver().map((h) => h.args)).toEqual([['proxy', 'cpu']]);
  });

  it("a fresh liveness mark on a node that does not answer: the front waits until the connect's deadline, then steps aside", async () => {
    const world = makeWorld(tmp());
    runningJob(world, { job: '12', port: await unansweredPort() });
    updateState(world, 'never');
    const started = Date.now();
    const r = await runFront(world, ['proxy', 'cpu']);
    expect(r.exitCode, r.stderr).toBe(99);
    expect(world.handedOver()).toEqual([{ args: ['proxy', 'cpu'], arena: expect.any(String), sockets: 0 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WARM_CONNECT_TIMEOUT_MS - 100);
  });

  it('a port nobody listens on: the front steps aside, as the executable finds no job', async () => {
    const { world, server } = await tcpWorld();
    server.sockets.forEach((s) => s.destroy());
    const contact = path.join(world.state, 'jobs/12/contact');
    fs.writeFileSync(contact, fs.readFileSync(contact, 'utf8').replace(`"port":${server.port}`, '"port":1'));
    expect((await runFront(world, ['proxy', 'cpu'])).exitCode).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([['proxy', 'cpu']]);
    expect((await executableWarm(world, 'cpu')).handedOff).toBe(false);
  });

  it("another job's sshd on the port: the front steps aside and leaves the contact for the executable to judge", async () => {
    const world = makeWorld(tmp());
    const other = await sshd(jobBanner('120'));
    runningJob(world, { job: '12', port: other.port });
    updateState(world, 'never');
    expect((await runFront(world, ['proxy', 'cpu'])).exitCode).toBe(99);
    expect(fs.existsSync(path.join(world.state, 'jobs/12/contact'))).toBe(true);
    expect((await executableWarm(world, 'cpu')).handedOff).toBe(false);
    expect(fs.existsSync(path.join(world.state, 'jobs/12/contact'))).toBe(false);
  });

  it("reached through a link (~/bin/remote -> the layout's): another job's sshd on the port, and the executable beside the real front decides", async () => {
    const world = makeWorld(tmp());
    const other = await sshd(jobBanner('120'));
    runningJob(world, { job: '12', port: other.port });
    updateState(world, 'never');
    const link = path.join(tmp(), 'remote');
    fs.symlinkSync(world.front, link);
    const r = await runFront({ ...world, front: link }, ['proxy', 'cpu']);
    expect(r.exitCode, r.stderr).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([['proxy', 'cpu']]);
  });

  it.each(['../../x', '12345', 'A', 'a'.repeat(33), '-x', ''])('"%s", which is no profile\'s name: nothing read, the executable says what is wrong', async (name) => {
    const world = makeWorld(tmp());
    const server = await sshd(jobBanner('13'));
    bait(world, name, server.port);
    updateState(world, 'never');
    expect((await runFront(world, ['proxy', name])).exitCode).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([['proxy', name]]);
    expect((await executableWarm(world, name)).handedOff).toBe(false);
  });

  it('transport = node-sshd: the node sshd\'s banner, and the relay registers where the job counts sessions', async () => {
    const world = makeWorld(tmp());
    let registered: string[] = [];
    const server = await sshd('SSH-2.0-OpenSSH_9.2p1\r\n');
    runningJob(world, { job: '12', port: server.port, transport: 'node-sshd' });
    updateState(world, 'never');
    const relays = path.join(world.state, 'jobs/12/relays');
    const during = async () => {
      for (let i = 0; i < 100 && !registered.length; i++) {
        registered = fs.existsSync(relays) ? fs.readdirSync(relays) : [];
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const r = await runFront(world, ['proxy', 'cpu'], { during });
    expect(r.banner).toBe('SSH-2.0-OpenSSH_9.2p1\r\n');
    expect(registered).toHaveLength(1);
    expect(fs.readdirSync(relays)).toEqual([]);
    // The node's sshd says nothing of the job: the executable explains the end.
    expect(world.handedOver().map((h) => h.args.slice(0, 3))).toEqual([['session-ended', '12', 'client']]);
    expect((await executableWarm(world, 'cpu')).transport).toBe('node-sshd');
  });

  it('transport = srun: no connect from the login node; the relay runs through srun on the node (srun: a recording stand-in)', async () => {
    const dir = tmp();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'srun'), `#!/bin/bash\nprintf '%s\\n' "$@" >'${dir}/srun-args'\nexit 0\n`, { mode: 0o755 });
    const world = makeWorld(dir, [bin]);
    const server = await sshd(jobBanner('12'));
    runningJob(world, { job: '12', port: server.port, transport: 'srun' });
    updateState(world, 'never');
    const r = await runFront(world, ['proxy', 'cpu']);
    expect(server.connections()).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'srun-args'), 'utf8')).toContain('--jobid=12\n');
    // srun's sessions are explained by the executable (its relay's end says nothing of the job).
    expect(world.handedOver().map((h) => h.args.slice(0, 3))).toEqual([['session-ended', '12', 'client']]);
    expect(r.exitCode).toBe(99);
    expect((await executableWarm(world, 'cpu')).transport).toBe('srun');
  });

  it("transport = srun, srun exits 5: a lost connection, not the tcp relay's word for the job's side", async () => {
    const dir = tmp();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'srun'), '#!/bin/bash\nexit 5\n', { mode: 0o755 });
    const world = makeWorld(dir, [bin]);
    runningJob(world, { job: '12', port: 22, transport: 'srun' });
    updateState(world, 'never');
    await runFront(world, ['proxy', 'cpu']);
    expect(world.handedOver().map((h) => h.args.slice(0, 3))).toEqual([['session-ended', '12', 'lost']]);
  });
});
