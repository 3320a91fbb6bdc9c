// Two updaters at once. The first one is held inside `git ls-remote`, after
// taking the lock (helpers/git-gate.ts), so the overlap is certain, not a
// matter of timing.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildLauncherAndRelease, makeKeyPair } from './helpers/builds.js';
import { GitGate } from './helpers/git-gate.js';
import { makeWorld, readLog, release, remote, remoteAsync, versionOf } from './helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-concurrent-');
const key = makeKeyPair();
let launcher: string;
let two: string;

beforeAll(async () => {
  ({ launcher, two } = await buildLauncherAndRelease(tmp(), key));
}, 60_000);

describe('two updaters at once', { timeout: 60_000 }, () => {
  it('the second one leaves at once and says why; the first installs; the working version runs throughout', async () => {
    const w = makeWorld(tmp());
    await release(w, key, '0.2.0', two);
    const gate = new GitGate(w.repo);
    const first = remoteAsync(w, launcher, ['update']);
    try {
      await gate.waitUntilHeld();
      expect(fs.existsSync(path.join(w.updateDir, 'lock'))).toBe(true);

      const second = remote(w, launcher, ['update']);
      expect(second.status).toBe(EXIT.state);
      expect(second.stderr).toMatch(/another update is running \(pid \d+ on .* since .*\)/);

      const background = remote(w, launcher, ['update', '--auto']);
      expect(background.status).toBe(0);
      expect(background.stdout + background.stderr).toBe('');
      expect(readLog(w)).toMatch(/no check: another update is running \(pid \d+/);

      expect(versionOf(w, launcher)).toBe('slurmhop 0.1.0');
      expect(gate.held()).toHaveLength(1);
    } finally {
      await gate.release();
    }
    const done = await first;
    expect(done.stderr).toContain('installed 0.2.0');
    expect(done.status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
    expect(readLog(w).match(/installed 0\.2\.0/g)).toHaveLength(1);
    expect(fs.existsSync(path.join(w.updateDir, 'lock'))).toBe(false);
  });

  it('a lock left by an updater that died does not block the next one', async () => {
    const w = makeWorld(tmp());
    await release(w, key, '0.2.0', two);
    fs.mkdirSync(w.updateDir, { recursive: true });
    // pid 2^22+1 is above Linux's pid_max: certainly not running.
    fs.writeFileSync(path.join(w.updateDir, 'lock'), JSON.stringify({ host: (await import('node:os')).hostname(), pid: 4194305, since: 'then' }));
    expect(remote(w, launcher, ['update']).status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
  });
});
