// A full disk, for real: the state dir is a small tmpfs (mounting needs root;
// without it these tests are skipped and say so). The first test goes through
// the command line and its free-space check; the second lowers that check so
// that git and the staging writes themselves hit ENOSPC half-way.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runSelfCheck } from '../../src/update/candidate.js';
import { createUpdateLog, updateNow, updatePaths, type Running, type UpdateDeps } from '../../src/update/index.js';
import { gitSource } from '../../src/update/repository.js';
import { buildProgram, makeKeyPair } from './helpers/builds.js';
import { makeWorld, readLog, release, remote, versionOf, type World } from './helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-fulldisk-');
const key = makeKeyPair();
const mounts: string[] = [];
let launcher: string;
const program: Record<string, string> = {};

function mountTmpfs(dir: string, size: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  if (r.status === 0) mounts.push(dir);
  return r.status === 0;
}
const CAN_MOUNT = process.getuid?.() === 0 && (() => {
  const probe = tempDirs('slurmhop-probe-')();
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok;
})();

beforeAll(async () => {
  const builds = tmp();
  launcher = await buildProgram(builds, '0.1.0', key);
  for (const v of ['0.2.0', '0.3.0']) program[v] = await buildProgram(builds, v, key);
}, 60_000);
afterAll(() => mounts.forEach((m) => spawnSync('umount', [m])));

/** A world whose state dir is a tmpfs of `size`. */
function smallDiskWorld(size: string): World & { stateRoot: string } {
  const w = makeWorld(tmp());
  const stateRoot = path.join(w.dir, 'state');
  if (!mountTmpfs(stateRoot, size)) throw new Error('mount failed');
  w.env.XDG_STATE_HOME = stateRoot;
  w.state = path.join(stateRoot, 'slurmhop');
  w.updateDir = path.join(w.state, 'update');
  w.log = path.join(w.updateDir, 'update.log');
  return { ...w, stateRoot };
}

function inProcessDeps(w: World, running: Running): UpdateDeps {
  const paths = updatePaths(w.state);
  const env = { ...w.env };
  return {
    paths,
    settings: { repository: w.url, autoUpdate: true, checkInterval: 86_400 },
    key: key.publicKey,
    running,
    source: (url) => gitSource(url, { env, timeoutMs: 30_000 }),
    selfCheck: (dir, version) => runSelfCheck({ command: [process.execPath, launcher], env, timeoutMs: 30_000 }, dir, version),
    log: createUpdateLog(paths.log),
    now: () => Date.now(),
    freeBytes: () => Number.MAX_SAFE_INTEGER, // the free-space check is not what is tested here
    minFreeBytes: 0,
  };
}

const runningAs = (version: string, source: Running['source']): Running => ({
  protocol: 1,
  version,
  source,
  launcher: { version: '0.1.0', executable: process.execPath, script: launcher },
});

function fill(dir: string, leaveBytes: number): void {
  const { bavail, bsize } = fs.statfsSync(dir);
  const size = Math.max(0, bavail * bsize - leaveBytes);
  fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(size));
}

describe.runIf(CAN_MOUNT)('a full disk (the state dir on a small tmpfs)', { timeout: 60_000 }, () => {
  it('remote update refuses to start with too little free space, says why, and the built-in copy runs', async () => {
    const w = smallDiskWorld('4m');
    await release(w, key, '0.2.0', program['0.2.0']!);
    const r = remote(w, launcher, ['update']);
    expect(r.status).toBe(EXIT.state);
    expect(r.stderr).toMatch(/only \d+\.\d MiB free in .*; an update needs 16\.0 MiB/);
    expect(readLog(w)).toMatch(/failed while preparing the download: only .* free .*No space left on device.*; built-in 0\.1\.0 still runs/);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.1.0');
  });

  it('running out of space half-way leaves the installed version running, nothing staged, and a log line', async () => {
    const w = smallDiskWorld('3m');
    await release(w, key, '0.2.0', program['0.2.0']!);
    expect((await updateNow(inProcessDeps(w, runningAs('0.1.0', 'built-in')), { kind: 'latest' })).result).toBe('installed');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');

    await release(w, key, '0.3.0', program['0.3.0']!);
    fill(w.stateRoot, 64 * 1024);
    const outcome = await updateNow(inProcessDeps(w, runningAs('0.2.0', 'installed')), { kind: 'latest' });
    expect(outcome).toMatchObject({ result: 'failed', cause: 'state' });
    expect(readLog(w)).toMatch(/failed while (fetching v0\.3\.0|preparing the download): .*No space left on device.*; 0\.2\.0 still runs/i);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
    expect(fs.readdirSync(path.join(w.updateDir, 'staging'))).toEqual([]);
    expect(fs.readdirSync(path.join(w.updateDir, 'versions'))).toEqual(['0.2.0']);

    // Once there is room again, the same update goes through.
    fs.rmSync(path.join(w.stateRoot, 'filler'));
    expect((await updateNow(inProcessDeps(w, runningAs('0.2.0', 'installed')), { kind: 'latest' })).result).toBe('installed');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.3.0');
  });
});

if (!CAN_MOUNT) {
  describe('a full disk: SKIPPED, mounting a tmpfs needs root', () => {
    it.skip('run the tests as root to check a full disk', () => {});
  });
}
