// remote cleanup in a temporary home: which VS Code server versions go (all
// but the newest two, never one in use or changed in the last day, never
// data/ or extensions/), which job directories go (ended, no live contact),
// what --dry-run shows, and how failures end.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cleanupCommandWith } from '../../src/cli/commands/cleanup.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/main.js';
import { applyCleanup, planCleanup, type DoctorDeps } from '../../src/doctor/index.js';
import { recordVscodeServers } from '../../src/job/vscode-servers.js';
import { ownProcesses, usersOf } from '../../src/doctor/vscode-server.js';
import { appendStatus, readArchive, recordSubmitted, writeContact } from '../../src/state/index.js';
import { captureOutput } from '../helpers/capture.js';
import { tempDirs } from '../helpers/tmp.js';
import { answered, fakeHome, scriptedRunner } from './fake-deps.js';

const tmp = tempDirs('slurmhop-cleanup-');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const commit = (c: string) => c.repeat(40);
const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(commit) as [string, string, string, string];

/** Sets the modification time of a tree, everything in it included. */
function age(p: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) age(path.join(p, e), ms);
  fs.utimesSync(p, then, then);
}

function write(file: string, bytes = 1000): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x'.repeat(bytes));
  return file;
}

/**
 * Four versions in both layouts, newest first: A (older layout, used an hour
 * ago), B (the CLI's layout, 2 days), C (older layout with its log beside it,
 * 10 days), D (the CLI's layout, 20 days); data/, extensions/ and lru.json
 * older than all of them; an install in progress (.staging).
 */
function vscodeHome(deps: DoctorDeps): string {
  const root = path.join(deps.home, '.vscode-server');
  write(path.join(root, 'bin', A, 'node'));
  write(path.join(root, 'cli', 'servers', `Stable-${B}`, 'server', 'node'));
  write(path.join(root, 'cli', 'servers', `Stable-${B}`, 'log.txt'));
  write(path.join(root, `code-${B}`));
  write(path.join(root, 'bin', C, 'node'));
  write(path.join(root, 'bin', C, 'out', 'main.js'));
  write(path.join(root, `.${C}.log`));
  write(path.join(root, 'cli', 'servers', `Stable-${D}`, 'server', 'node'));
  write(path.join(root, `code-${D}`));
  write(path.join(root, 'cli', 'servers', 'lru.json'), 10);
  write(path.join(root, 'data', 'Machine', 'settings.json'), 10);
  write(path.join(root, 'extensions', 'ms-python.python-2024.1.0', 'package.json'));
  write(path.join(root, 'cli', 'servers', `Stable-${'e'.repeat(40)}.staging`, 'partial'));
  age(root, 60 * DAY);
  age(path.join(root, 'bin', A), HOUR);
  for (const p of [`cli/servers/Stable-${B}`, `code-${B}`]) age(path.join(root, p), 2 * DAY);
  for (const p of [`bin/${C}`, `.${C}.log`]) age(path.join(root, p), 10 * DAY);
  for (const p of [`cli/servers/Stable-${D}`, `code-${D}`]) age(path.join(root, p), 20 * DAY);
  age(path.join(root, 'cli', 'servers', `Stable-${'e'.repeat(40)}.staging`), 0);
  return root;
}

/** A job's records and output, `ms` old. */
function job(deps: DoctorDeps, id: string, ms: number, { ended = true, live = false } = {}) {
  fs.mkdirSync(path.join(deps.stateDir, 'jobs', id), { recursive: true });
  recordSubmitted(deps.stateDir, id, 'cpu');
  appendStatus(deps.stateDir, { event: 'started', jobId: id, profile: 'cpu', node: 'c1' });
  if (ended) appendStatus(deps.stateDir, { event: 'ended', jobId: id, profile: 'cpu', reason: 'cancelled' });
  if (live) writeContact(deps.stateDir, { version: 1, jobId: id, profile: 'cpu', node: 'c1', port: 1, user: 'hal', pid: 1, readyAt: '' });
  write(path.join(deps.stateDir, 'logs', `${id}.out`), 200);
  age(path.join(deps.stateDir, 'jobs', id), ms);
  age(path.join(deps.stateDir, 'logs', `${id}.out`), ms);
}

/** squeue answers with these of the user's jobs (id and state). */
const queue = (...jobs: Array<[string, string]>) =>
  scriptedRunner({ squeue: () => answered(jobs.map(([id, state]) => `${id}|slurmhop-cpu|${state}|c1|N/A|1:00|30:00|29:00|interactive|N/A|None`).join('\n')) });

const rel = (root: string, p: string) => path.relative(root, p);

describe('remote cleanup: VS Code server versions', () => {
  it('all but the newest two go, with every path of theirs; data/, extensions/, lru.json and an install in progress stay', async () => {
    const deps = fakeHome(tmp(), { run: queue() });
    const root = vscodeHome(deps);
    const plan = await planCleanup(deps);
    expect(plan.remove.map((r) => (r.kind === 'vscode' ? rel(root, r.path) : r.jobId)).sort()).toEqual([`.${C}.log`, `bin/${C}`, `cli/servers/Stable-${D}`, `code-${D}`].sort());
    expect(plan.kept).toEqual([]);
    capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(fs.readdirSync(path.join(root, 'bin')).sort()).toEqual([A]);
    expect(fs.readdirSync(path.join(root, 'cli', 'servers')).sort()).toEqual([`Stable-${B}`, `Stable-${'e'.repeat(40)}.staging`, 'lru.json'].sort());
    expect(fs.readdirSync(root).sort()).toEqual(['bin', 'cli', `code-${B}`, 'data', 'extensions'].sort());
    expect(fs.existsSync(path.join(root, 'data', 'Machine', 'settings.json'))).toBe(true);
  });

  it('an old version a process of the user runs from, or one changed in the last day, stays, and the output says why', async () => {
    const processes = [
      { pid: 4242, exe: `/home/hal/.vscode-server/cli/servers/Stable-${D}/server/node`, cwd: '/home/hal', cmdline: 'node out/server-main.js --start-server' },
      { pid: 4300, exe: '/usr/bin/bash', cwd: '/home/hal', cmdline: '-bash' },
    ];
    const deps = fakeHome(tmp(), { run: queue(), processes: () => processes });
    const root = vscodeHome(deps);
    // The newest two are A (an hour) and C (its server wrote its log 2 hours ago); B's server wrote 3 hours ago (on a compute node?).
    age(path.join(root, `.${C}.log`), 2 * HOUR);
    age(path.join(root, 'cli', 'servers', `Stable-${B}`, 'log.txt'), 3 * HOUR);
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(io.out().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^kept VS Code server ${B}: changed 3h0\\dm ago \\(it may be running on a compute node\\)$`)),
      `kept VS Code server ${D}: in use on this host (process 4242)`,
      'nothing to remove',
      '',
    ]);
    expect(fs.readdirSync(root).sort()).toEqual(['.' + C + '.log', 'bin', 'cli', `code-${B}`, `code-${D}`, 'data', 'extensions'].sort());
  });

  it('--dry-run lists what would go, with sizes and a total, and removes nothing', async () => {
    const deps = fakeHome(tmp(), { run: queue() });
    const root = vscodeHome(deps);
    const before = fs.readdirSync(root).sort();
    const io = capture();
    expect(await runCli(['cleanup', '--dry-run'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    const lines = io.out().trim().split('\n');
    // Sizes first, then the path: one line each, in the order of the versions (oldest last).
    expect(lines.slice(0, -1).map((l) => l.replace(/^would remove  \d+\.\d KiB +\d files? +/, ''))).toEqual([
      `~/.vscode-server/.${C}.log`,
      `~/.vscode-server/bin/${C}`,
      `~/.vscode-server/cli/servers/Stable-${D}`,
      `~/.vscode-server/code-${D}`,
    ]);
    expect(lines.at(-1)).toMatch(/^would remove 4 items: \d+\.\d KiB in 9 files$/);
    expect(fs.readdirSync(root).sort()).toEqual(before);
    expect(io.err()).toBe('');
  });

  it('nothing to remove without ~/.vscode-server or jobs', async () => {
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => fakeHome(tmp(), { run: queue() }))])).toBe(EXIT.ok);
    expect(io.out()).toBe('nothing to remove\n');
  });
});

/** Job `id`'s record of the VS Code servers its node runs, as the job writes it (job/vscode-servers.ts). */
function serversOf(deps: DoctorDeps, id: string, commits: string[]): void {
  fs.mkdirSync(path.join(deps.stateDir, 'jobs', id), { recursive: true });
  recordVscodeServers(path.join(deps.stateDir, 'jobs', id, 'vscode-servers'), undefined, () => commits.map((c, i) => ({ pid: i + 1, cmdline: `/home/hal/.vscode-server/bin/${c}/node out/server-main.js` })))();
}

describe('remote cleanup: VS Code servers that run in jobs (this host cannot see their processes)', () => {
  it('a version a running job of the user recorded stays; the others go', async () => {
    const deps = fakeHome(tmp(), { run: queue(['11', 'RUNNING'], ['12', 'PENDING']) });
    const root = vscodeHome(deps);
    serversOf(deps, '11', [D]);
    serversOf(deps, '12', [C]); // a record of a job that is not running (here: pending) protects nothing
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(io.out()).toContain(`kept VS Code server ${D}: in use by job 11 on c1\n`);
    expect(fs.existsSync(path.join(root, 'cli', 'servers', `Stable-${D}`))).toBe(true);
    expect(fs.existsSync(path.join(root, `code-${D}`))).toBe(true);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(false);
  });

  it('a running job that recorded nothing (an older slurmhop started it) keeps every version while it runs', async () => {
    const deps = fakeHome(tmp(), { run: queue(['11', 'RUNNING']) });
    const root = vscodeHome(deps);
    fs.mkdirSync(path.join(deps.stateDir, 'jobs', '11'), { recursive: true });
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    const why = 'your job 11 on c1 runs and did not record which VS Code servers it uses (started by an older slurmhop?): every version stays while it runs';
    expect(io.out()).toBe(`kept VS Code server ${C}: ${why}\nkept VS Code server ${D}: ${why}\nnothing to remove\n`);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(true);
  });

  it('a job that ended, or Slurm no longer lists, protects nothing with its record', async () => {
    const deps = fakeHome(tmp(), { run: queue(['11', 'COMPLETED']) });
    const root = vscodeHome(deps);
    serversOf(deps, '11', [C, D]);
    serversOf(deps, '10', [C, D]);
    capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(false);
    expect(fs.existsSync(path.join(root, `code-${D}`))).toBe(false);
  });

  it('a job this squeue does not list (another cluster sharing the home) whose liveness mark is fresh keeps its versions too', async () => {
    const deps = fakeHome(tmp(), { run: queue() });
    const root = vscodeHome(deps);
    serversOf(deps, '77', [C]);
    fs.writeFileSync(path.join(deps.stateDir, 'jobs', '77', 'alive'), '');
    serversOf(deps, '78', [D]); // no liveness mark: ended, or never ran here
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(io.out()).toContain(`kept VS Code server ${C}: in use by job 77\n`);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(true);
    expect(fs.existsSync(path.join(root, `code-${D}`))).toBe(false);
  });

  it('a version a job starts using between the plan and the removal stays', async () => {
    const deps = fakeHome(tmp(), { run: queue(['11', 'RUNNING']) });
    const root = vscodeHome(deps);
    serversOf(deps, '11', []);
    const plan = await planCleanup(deps);
    expect(plan.remove.filter((r) => r.kind === 'vscode' && r.commit === D)).toHaveLength(2);
    serversOf(deps, '11', [D]);
    const { kept } = applyCleanup(deps, plan);
    expect(kept).toEqual([{ what: `VS Code server ${D}`, why: 'in use by job 11 on c1' }]);
    expect(fs.existsSync(path.join(root, 'cli', 'servers', `Stable-${D}`))).toBe(true);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(false);
  });
});

// Root may remove anything: the owners are staged with chown, as another user's files would be.
describe.skipIf(process.getuid?.() !== 0)("remote cleanup: what is not the user's", () => {
  const OTHER = 54321;
  const chownTree = (p: string, uid: number) => {
    fs.lchownSync(p, uid, uid);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid);
  };

  it('~/.vscode-server linked to a tree of another user: nothing in it goes, and the output says why', async () => {
    const deps = fakeHome(tmp(), { run: queue(), uid: 4242 });
    const root = vscodeHome(deps);
    const shared = path.join(path.dirname(deps.home), 'shared-vscode-server');
    fs.renameSync(root, shared);
    fs.symlinkSync(shared, root);
    chownTree(shared, OTHER);
    const before = fs.readdirSync(shared).sort();
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(io.out()).toBe(`kept every VS Code server in ~/.vscode-server: ${root} leads to ${shared}, which belongs to uid ${OTHER}, not to you\nnothing to remove\n`);
    expect(fs.readdirSync(shared).sort()).toEqual(before);
  });

  it("linked to a tree of the user's own elsewhere (a scratch filesystem): old versions go there as at home", async () => {
    const deps = fakeHome(tmp(), { run: queue(), uid: 4242 });
    const root = vscodeHome(deps);
    const scratch = path.join(path.dirname(deps.home), 'scratch-vscode-server');
    fs.renameSync(root, scratch);
    fs.symlinkSync(scratch, root);
    chownTree(scratch, 4242);
    capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(fs.readdirSync(path.join(scratch, 'bin'))).toEqual([A]);
    expect(fs.lstatSync(root).isSymbolicLink()).toBe(true);
  });

  it("a version with a file of another user in it, or in a directory of theirs, stays whole", async () => {
    const deps = fakeHome(tmp(), { run: queue(), uid: 4242 });
    const root = vscodeHome(deps);
    chownTree(root, 4242);
    fs.lchownSync(path.join(root, 'bin', C, 'out', 'main.js'), OTHER, OTHER);
    const servers = path.join(root, 'cli', 'servers');
    const elsewhere = path.join(path.dirname(deps.home), 'their-servers');
    fs.renameSync(servers, elsewhere);
    fs.symlinkSync(elsewhere, servers);
    fs.lchownSync(elsewhere, OTHER, OTHER);
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(io.out().split('\n')).toEqual([
      `kept VS Code server ${C}: ${path.join(root, 'bin', C, 'out', 'main.js')} belongs to uid ${OTHER}, not to you`,
      `kept VS Code server ${D}: ${servers} leads to ${elsewhere}, which belongs to uid ${OTHER}, not to you`,
      'nothing to remove',
      '',
    ]);
    expect(fs.existsSync(path.join(root, 'bin', C, 'node'))).toBe(true);
    expect(fs.existsSync(path.join(root, `code-${D}`))).toBe(true);
    expect(fs.existsSync(path.join(elsewhere, `Stable-${D}`))).toBe(true);
  });
});

describe('remote cleanup: ended jobs', () => {
  it('removes the directory and output of ended jobs, keeps their records for history; live, listed and new jobs stay', async () => {
    const deps = fakeHome(tmp(), { run: queue(['11', 'RUNNING'], ['14', 'COMPLETING']) });
    job(deps, '10', 2 * DAY); // ended, Slurm has forgotten it
    job(deps, '11', 2 * DAY, { ended: false, live: true }); // running
    job(deps, '12', 2 * DAY, { ended: false }); // no end recorded (killed), Slurm has forgotten it
    job(deps, '13', 60_000, { ended: false }); // a minute old: submitted after squeue answered?
    job(deps, '14', HOUR); // recorded its end; Slurm still finishing it
    job(deps, '15', 2 * DAY, { ended: false, live: true }); // a contact left by a job Slurm no longer has
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(fs.readdirSync(path.join(deps.stateDir, 'jobs')).sort()).toEqual(['11', '13']);
    expect(fs.readdirSync(path.join(deps.stateDir, 'logs')).sort()).toEqual(['11.out', '13.out']);
    expect(fs.readdirSync(path.join(deps.stateDir, 'live', 'cpu'))).toEqual(['11']);
    expect(readArchive(deps.stateDir).map((a) => [a.jobId, a.events.at(-1)?.event])).toEqual([
      ['10', 'ended'],
      ['12', 'started'],
      ['14', 'ended'],
      ['15', 'started'],
    ]);
    expect(io.out()).toMatch(/^removed {2}16\.0 KiB {2}4 files {2}job 10 \(cpu, ended: cancelled\): jobs\/10, logs\/10\.out$/m);
    expect(io.out()).toContain('job 12 (cpu, no longer in the queue)');
    expect(io.out().trim().split('\n').at(-1)).toMatch(/^removed 4 items: /);
  });

  it('a job this squeue does not list but whose supervisor keeps its liveness mark fresh stays (another cluster sharing the home)', async () => {
    const deps = fakeHome(tmp(), { run: queue() });
    job(deps, '16', 2 * DAY, { ended: false, live: true });
    fs.writeFileSync(path.join(deps.stateDir, 'jobs', '16', 'alive'), '7\n'); // written just now
    const old = new Date(Date.now() - 2 * DAY);
    fs.utimesSync(path.join(deps.stateDir, 'jobs', '16'), old, old); // nothing else changed for days
    job(deps, '17', 2 * DAY, { ended: false, live: true });
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.ok);
    expect(fs.readdirSync(path.join(deps.stateDir, 'jobs')).sort()).toEqual(['16']);
    expect(io.out()).toContain('job 17');
  });

  it('Slurm not answering: exit 4, nothing removed', async () => {
    const deps = fakeHome(tmp(), { run: scriptedRunner({ squeue: () => answered('', 'slurm_load_jobs error: Unable to contact slurm controller', 1) }) });
    const root = vscodeHome(deps);
    job(deps, '10', 2 * DAY);
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.slurm);
    expect(io.err()).toContain('squeue failed: slurm_load_jobs error: Unable to contact slurm controller');
    expect(fs.existsSync(path.join(deps.stateDir, 'jobs', '10'))).toBe(true);
    expect(fs.existsSync(path.join(root, `code-${D}`))).toBe(true);
  });

  it('what cannot be removed is named on stderr, the rest goes, exit 9', async () => {
    const deps = fakeHome(tmp(), { run: queue() });
    const root = vscodeHome(deps);
    const locked = path.join(root, 'cli', 'servers', `Stable-${D}`);
    const rm = fs.rmSync;
    // As a directory of someone else's would (root may remove anything, so the refusal is staged).
    vi.spyOn(fs, 'rmSync').mockImplementation((p, options) => {
      if (p === locked) throw Object.assign(new Error(`EACCES: permission denied, rmdir '${locked}'`), { code: 'EACCES' });
      rm(p, options);
    });
    const io = capture();
    expect(await runCli(['cleanup'], [cleanupCommandWith(() => deps)])).toBe(EXIT.state);
    expect(io.err()).toContain(`slurmhop: could not remove ~/.vscode-server/cli/servers/Stable-${D}: EACCES\n`);
    expect(io.err()).toContain('slurmhop: 1 of 4 items could not be removed');
    expect(io.out().trim().split('\n').at(-1)).toMatch(/^removed 3 items: /);
    expect(fs.existsSync(path.join(root, 'bin', C))).toBe(false);
    expect(fs.existsSync(locked)).toBe(true);
  });

  it('arguments are refused', async () => {
    const io = capture();
    expect(await runCli(['cleanup', 'now'], [cleanupCommandWith(() => fakeHome(tmp()))])).toBe(EXIT.usage);
    expect(io.err()).toContain('usage: remote cleanup [--dry-run]');
  });
});

describe('processes on this host', () => {
  it('a process of the user whose working directory is in a version is found in /proc and counts as using it', async () => {
    const dir = path.join(tmp(), 'bin', A);
    fs.mkdirSync(dir, { recursive: true });
    const child = spawn('sleep', ['30'], { cwd: dir, stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const mine = ownProcesses(process.getuid!());
      expect(mine.find((p) => p.pid === child.pid)).toMatchObject({ cwd: dir, cmdline: 'sleep 30' });
      expect(usersOf({ commit: A, paths: [dir] }, mine).map((p) => p.pid)).toContain(child.pid);
      expect(usersOf({ commit: B, paths: [] }, mine)).toEqual([]);
    } finally {
      child.kill();
    }
  });
});

const capture = captureOutput;
