// What `remote proxy` does about updates: the daily limit, the opt-outs, and
// a real detached background check that installs the release on its own.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduleUpdateCheck, spawnDetached, type ScheduleDeps } from '../../src/update/index.js';
import { buildLauncherAndRelease, makeKeyPair } from './helpers/builds.js';
import { makeWorld, readLog, release, versionOf } from './helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-schedule-');
const DAY = 86_400_000;
afterEach(() => vi.restoreAllMocks());

function scheduler(overrides: Partial<ScheduleDeps> = {}) {
  const dir = tmp();
  const spawned: string[][] = [];
  let now = Date.parse('2025-03-01T12:00:00Z');
  const deps: ScheduleDeps = {
    stateDir: path.join(dir, 'state'),
    configDir: path.join(dir, 'config'),
    settings: () => ({ repository: 'file:///srv/releases.git', autoUpdate: true, checkInterval: 86_400 }),
    now: () => now,
    command: ['/home/u/.local/bin/remote'],
    spawnDetached: (command) => void spawned.push(command),
    ...overrides,
  };
  return { deps, spawned, dir, advance: (ms: number) => (now += ms) };
}

describe('the background check that remote proxy starts', () => {
  it('starts at most one a day, as a detached "remote update --auto", and never writes to stdout', () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const s = scheduler();
    expect(scheduleUpdateCheck(s.deps)).toBe('started');
    expect(s.spawned).toEqual([['/home/u/.local/bin/remote', 'update', '--auto']]);
    expect(scheduleUpdateCheck(s.deps)).toBe('not-due');
    s.advance(DAY - 60_000);
    expect(scheduleUpdateCheck(s.deps)).toBe('not-due');
    s.advance(60_000);
    expect(scheduleUpdateCheck(s.deps)).toBe('started');
    expect(s.spawned).toHaveLength(2);
    expect(fs.statSync(path.join(s.deps.stateDir, 'update')).mode & 0o777).toBe(0o700);
    expect(stdout).not.toHaveBeenCalled();
  });

  it('counts a check that finished (e.g. a manual "remote update") and follows check_interval', () => {
    const s = scheduler({ settings: () => ({ repository: 'file:///r.git', autoUpdate: true, checkInterval: 3600 }) });
    fs.mkdirSync(path.join(s.deps.stateDir, 'update'), { recursive: true });
    fs.writeFileSync(path.join(s.deps.stateDir, 'update', 'checks.json'), JSON.stringify({ finishedAt: s.deps.now() - 1000 }));
    expect(scheduleUpdateCheck(s.deps)).toBe('not-due');
    s.advance(3600_000);
    expect(scheduleUpdateCheck(s.deps)).toBe('started');
  });

  it('is off with auto_update = false, with the opt-out file, and without a repository', () => {
    const off = scheduler({ settings: () => ({ repository: 'file:///r.git', autoUpdate: false, checkInterval: 86_400 }) });
    expect(scheduleUpdateCheck(off.deps)).toBe('disabled');

    const optOut = scheduler();
    fs.mkdirSync(optOut.deps.configDir, { recursive: true });
    fs.writeFileSync(path.join(optOut.deps.configDir, 'no-auto-update'), '');
    expect(scheduleUpdateCheck(optOut.deps)).toBe('opted-out');

    const none = scheduler({ settings: () => ({ autoUpdate: true, checkInterval: 86_400 }) });
    expect(scheduleUpdateCheck(none.deps)).toBe('no-repository');
    for (const s of [off, optOut, none]) {
      expect(s.spawned).toEqual([]);
      expect(JSON.parse(fs.readFileSync(path.join(s.deps.stateDir, 'update', 'checks.json'), 'utf8')).startedAt).toBeUndefined();
    }
  });

  it('reads config.ini again only when it changed (the warm path pays one stat), and then follows it', () => {
    let reads = 0;
    let repository: string | undefined;
    // The real clock, 10 s ahead: the files written now are settled (more than 2 s old).
    let now = Date.now() + 10_000;
    const s = scheduler({ settings: () => (reads++, { repository, autoUpdate: true, checkInterval: 86_400 }), now: () => now });
    const config = path.join(s.deps.configDir, 'config.ini');
    fs.mkdirSync(s.deps.configDir, { recursive: true });
    fs.writeFileSync(config, '[profile.cpu]\n');
    expect(scheduleUpdateCheck(s.deps)).toBe('no-repository');
    expect(scheduleUpdateCheck(s.deps)).toBe('no-repository');
    expect(reads).toBe(1);
    repository = 'file:///r.git';
    fs.writeFileSync(config, '[update]\nrepository = file:///r.git\n');
    now = Date.now() + 10_000;
    expect(scheduleUpdateCheck(s.deps)).toBe('started');
    expect(reads).toBe(2);
    expect(scheduleUpdateCheck(s.deps)).toBe('not-due');
    expect(reads).toBe(2);
  });

  it('a config.ini changed in the last 2 s is read every time: an edit of the same size within a coarse clock tick is not missed', () => {
    let reads = 0;
    let autoUpdate = true;
    const s = scheduler({ settings: () => (reads++, { repository: 'file:///r.git', autoUpdate, checkInterval: 86_400 }), now: () => Date.now() });
    const config = path.join(s.deps.configDir, 'config.ini');
    fs.mkdirSync(s.deps.configDir, { recursive: true });
    fs.writeFileSync(config, '[update]\nauto_update = 1\n');
    expect(scheduleUpdateCheck(s.deps)).toBe('started');
    const { mtime } = fs.statSync(config);
    fs.writeFileSync(config, '[update]\nauto_update = 0\n');
    fs.utimesSync(config, mtime, mtime); // the same mtime, as a 1 s clock would give
    autoUpdate = false;
    expect(scheduleUpdateCheck(s.deps)).toBe('disabled');
    expect(reads).toBe(2);
  });

  it('a problem (here: a broken config.ini) means no check, never an error', () => {
    const s = scheduler({ settings: () => { throw new Error('config.ini:3: cannot read this line'); } });
    expect(scheduleUpdateCheck(s.deps)).toBe('error');
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, '');
    const unwritable = scheduler({ stateDir: path.join(file, 'state') });
    expect(scheduleUpdateCheck(unwritable.deps)).toBe('error');
    expect(unwritable.spawned).toEqual([]);
  });
});

describe('a real detached background check', { timeout: 60_000 }, () => {
  const key = makeKeyPair();
  let launcher: string;
  let two: string;
  beforeAll(async () => {
    ({ launcher, two } = await buildLauncherAndRelease(tmp(), key));
  }, 60_000);

  it('installs the newer release by itself; the next run uses it; the next due check only finds it up to date', async () => {
    const w = makeWorld(tmp());
    await release(w, key, '0.2.0', two);
    let offset = 0;
    const deps: ScheduleDeps = {
      stateDir: w.state,
      configDir: path.join(w.home, '.config', 'slurmhop'),
      settings: () => ({ repository: w.url, autoUpdate: true, checkInterval: 86_400 }),
      now: () => Date.now() + offset,
      command: [process.execPath, launcher],
      spawnDetached: (command) => spawnDetached(command, w.env),
    };
    expect(scheduleUpdateCheck(deps)).toBe('started');
    await waitFor(() => /installed 0\.2\.0/.test(readLog(w)));
    expect(readLog(w)).toMatch(/background check of file:\/\/.* \(running built-in 0\.1\.0\)/);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');

    expect(scheduleUpdateCheck(deps)).toBe('not-due');
    offset = 86_400_000 + 1000;
    // The background check itself also keeps to the limit: the child's own clock is real time.
    expect(scheduleUpdateCheck(deps)).toBe('started');
    await waitFor(() => /no check: checked recently/.test(readLog(w)));
  });
});

async function waitFor(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
