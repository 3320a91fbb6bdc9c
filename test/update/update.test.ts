// The updater end to end with real git: a bare release repository per test,
// releases signed by the test's key, and `remote` a test build of the real
// program (built-in copy 0.1.0) run as a separate process, as a user would.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildProgram, makeKeyPair, writeBundle } from './helpers/builds.js';
import { makeWorld, readLog, release, remote, versionOf, type World } from './helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-update-');
const key = makeKeyPair();
const otherKey = makeKeyPair();
let builds: string;
let launcher: string; // the executable's built-in copy: 0.1.0
const program: Record<string, string> = {};

beforeAll(async () => {
  builds = tmp();
  launcher = await buildProgram(builds, '0.1.0', key);
  for (const v of ['0.0.9', '0.2.0', '0.3.0']) program[v] = await buildProgram(builds, v, key);
}, 60_000);

function world(config = ''): World {
  return makeWorld(tmp(), config);
}

// A manual check counts for the daily limit of background checks: forget it.
const forgetLastCheck = (w: World) => fs.rmSync(path.join(w.updateDir, 'checks.json'));
const installed = (w: World) => (fs.existsSync(path.join(w.updateDir, 'versions')) ? fs.readdirSync(path.join(w.updateDir, 'versions')).sort() : []);

describe('remote update', { timeout: 60_000 }, () => {
  it('installs a newer signed tag, and the next run is that release', async () => {
    const w = world();
    await release(w, key, '0.2.0', program['0.2.0']!);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.1.0');
    const check = remote(w, launcher, ['check']);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/latest: +0\.2\.0/);
    expect(check.stdout).toContain('"remote update" installs it now');

    const r = remote(w, launcher, ['update']);
    expect(r.stderr).toContain('installed 0.2.0');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('installed 0.2.0 (was built-in 0.1.0): the next "remote" run uses it\n');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');

    const verbose = remote(w, launcher, ['--version', '--verbose']);
    expect(verbose.stdout).toMatch(/^slurmhop 0\.2\.0\n/);
    expect(verbose.stdout).toContain(`installed release in ${path.join(w.updateDir, 'versions', '0.2.0')}`);
    expect(verbose.stdout).toMatch(new RegExp(`from: +v0\\.2\\.0 \\(commit [0-9a-f]{12}\\) of ${w.url}`));
    expect(verbose.stdout).toContain('built-in copy 0.1.0');
    expect(verbose.stdout).toContain('(TEST BUILD)');
    expect(readLog(w)).toMatch(/installed 0\.2\.0 \(was built-in 0\.1\.0\)/);
    // Directories are private.
    for (const d of [w.updateDir, path.join(w.updateDir, 'versions'), path.join(w.updateDir, 'versions', '0.2.0')]) {
      expect(fs.statSync(d).mode & 0o777, d).toBe(0o700);
    }
    expect(remote(w, launcher, ['update']).stdout).toBe('up to date: running 0.2.0, latest release 0.2.0\n');
  });

  it('never downgrades by itself; --version X installs an older release on request and holds it', async () => {
    const w = world();
    await release(w, key, '0.0.9', program['0.0.9']!);
    expect(remote(w, launcher, ['update']).stdout).toBe('up to date: running built-in 0.1.0, latest release 0.0.9\n');
    expect(installed(w)).toEqual([]);

    const r = remote(w, launcher, ['update', '--version', '0.0.9']);
    expect(r.status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.0.9');
    // Automatic updates leave the choice alone (0.1.0 is the built-in copy, not a release here).
    forgetLastCheck(w);
    expect(remote(w, launcher, ['update', '--auto']).status).toBe(0);
    expect(readLog(w)).toMatch(/up to date: running 0\.0\.9, latest release 0\.0\.9\n$/);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.0.9');

    const none = remote(w, launcher, ['update', '--version', '9.9.9']);
    expect(none.status).toBe(EXIT['update-unavailable']);
    expect(none.stderr).toContain('has no release 9.9.9');
    expect(remote(w, launcher, ['update', '--version', 'latest']).status).toBe(EXIT.usage);
  });

  it('rollback returns to the previous version, automatic updates skip the one left, and it can be undone', async () => {
    const w = world();
    expect(remote(w, launcher, ['rollback']).status).toBe(EXIT['update-unavailable']);
    await release(w, key, '0.2.0', program['0.2.0']!);
    expect(remote(w, launcher, ['update']).status).toBe(0);
    await release(w, key, '0.3.0', program['0.3.0']!);
    expect(remote(w, launcher, ['update']).status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.3.0');
    expect(installed(w)).toEqual(['0.2.0', '0.3.0']);

    const r = remote(w, launcher, ['rollback']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('rolled back from 0.3.0 to 0.2.0: the next "remote" run uses 0.2.0\n');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
    forgetLastCheck(w);
    expect(remote(w, launcher, ['update', '--auto']).status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
    expect(readLog(w)).toContain('rolled back from 0.3.0 to 0.2.0');
    expect(readLog(w)).toMatch(/up to date: running 0\.2\.0, latest release 0\.3\.0\n$/);

    expect(remote(w, launcher, ['rollback']).stdout).toContain('rolled back from 0.2.0 to 0.3.0');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.3.0');
  });

  it('rolls back to the built-in copy after the first update, and keeps at most two versions', async () => {
    const w = world();
    await release(w, key, '0.2.0', program['0.2.0']!);
    remote(w, launcher, ['update']);
    expect(remote(w, launcher, ['rollback']).stdout).toContain('rolled back from 0.2.0 to built-in 0.1.0');
    expect(versionOf(w, launcher)).toBe('slurmhop 0.1.0');
    expect(remote(w, launcher, ['--version', '--verbose']).stdout).toContain('automatic updates skip releases up to 0.2.0');

    await release(w, key, '0.3.0', program['0.3.0']!);
    expect(remote(w, launcher, ['update', '--version', '0.3.0']).status).toBe(0);
    await release(w, key, '0.0.9', program['0.0.9']!);
    expect(remote(w, launcher, ['update', '--version', '0.0.9']).status).toBe(0);
    expect(installed(w)).toEqual(['0.0.9', '0.3.0']);
    expect(readLog(w)).toContain('removed old versions 0.2.0');
  });
});

describe('a release that must not be installed leaves the working version running and says why', { timeout: 60_000 }, () => {
  async function refused(w: World, version: string): Promise<{ status: number | null; stderr: string; log: string }> {
    const r = remote(w, launcher, ['update']);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
    expect(installed(w)).toEqual(['0.2.0']);
    expect(fs.readdirSync(path.join(w.updateDir, 'staging'))).toEqual([]);
    const log = readLog(w);
    expect(log).toContain(`release ${version} is newer than 0.2.0: fetching`);
    return { status: r.status, stderr: r.stderr, log };
  }

  async function runningTwo(): Promise<World> {
    const w = world();
    await release(w, key, '0.2.0', program['0.2.0']!);
    expect(remote(w, launcher, ['update']).status).toBe(0);
    return w;
  }

  it('a bad signature (another key)', async () => {
    const w = await runningTwo();
    await release(w, otherKey, '0.3.0', program['0.3.0']!);
    const r = await refused(w, '0.3.0');
    expect(r.status).toBe(EXIT['update-rejected']);
    expect(r.stderr).toContain('release 0.3.0 refused: bad signature');
    expect(r.log).toMatch(/rejected 0\.3\.0: bad signature: .*; 0\.2\.0 still runs/);
  });

  it('a truncated bundle', async () => {
    const w = await runningTwo();
    await release(w, key, '0.3.0', program['0.3.0']!, (f) => ({ ...f, bundle: f.bundle.subarray(0, f.bundle.length >> 1) }));
    const r = await refused(w, '0.3.0');
    expect(r.status).toBe(EXIT['update-rejected']);
    expect(r.log).toMatch(/rejected 0\.3\.0: remote\.cjs is \d+ bytes, the signed release\.json says \d+ \(truncated\)/);
  });

  it('a bundle changed after signing', async () => {
    const w = await runningTwo();
    await release(w, key, '0.3.0', program['0.3.0']!, (f) => ({ ...f, bundle: Buffer.from(f.bundle.toString().replace('slurmhop', 'slurmhoP')) }));
    expect((await refused(w, '0.3.0')).log).toContain('remote.cjs does not match the sha256 in the signed release.json');
  });

  it('an old signed release tagged as a newer version', async () => {
    const w = await runningTwo();
    // A correctly signed 0.2.0 manifest and bundle, committed under tag v0.3.0.
    await release(w, key, '0.3.0', program['0.3.0']!, () => {
      const signedTwo = fs.readFileSync(path.join(w.updateDir, 'versions', '0.2.0', 'release.json'));
      const sig = fs.readFileSync(path.join(w.updateDir, 'versions', '0.2.0', 'release.json.sig'));
      return { bundle: fs.readFileSync(program['0.2.0']!), manifest: signedTwo, signature: sig };
    });
    expect((await refused(w, '0.3.0')).log).toContain('the tag is v0.3.0 but its signed release.json says 0.2.0');
  });

  it('a bundle that fails its self-check', async () => {
    const w = await runningTwo();
    const broken = writeBundle(tmp(), 'broken.cjs', 'throw new Error("this build is broken");\n');
    await release(w, key, '0.3.0', broken);
    const r = await refused(w, '0.3.0');
    expect(r.status).toBe(EXIT['update-rejected']);
    expect(r.log).toMatch(/rejected 0\.3\.0: self-check failed \(exit \d+\): .*this build is broken/);
  });

  it('a bundle whose program is another version than its tag', async () => {
    const w = await runningTwo();
    await release(w, key, '0.3.0', program['0.0.9']!);
    expect((await refused(w, '0.3.0')).log).toContain('self-check: the program says it is 0.0.9, the release says 0.3.0');
  });

  it('an unreachable repository', async () => {
    const w = await runningTwo();
    const config = path.join(w.home, '.config', 'slurmhop', 'config.ini');
    fs.writeFileSync(config, `[update]\nrepository = file://${w.dir}/no-such-repository.git\n`);
    const r = remote(w, launcher, ['update']);
    expect(r.status).toBe(EXIT['update-unavailable']);
    expect(r.stderr).toContain('cannot read the release repository');
    expect(readLog(w)).toMatch(/failed while listing releases: cannot read the release repository file:\/\/.*no-such-repository\.git: .*; 0\.2\.0 still runs/);
    expect(remote(w, launcher, ['check']).status).toBe(EXIT['update-unavailable']);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');
  });
});

describe('scripts/release', { timeout: 60_000 }, () => {
  it('signs and tags a bundle that the program with the matching key installs', async () => {
    const w = world();
    const keyFile = path.join(w.dir, 'release.key');
    fs.writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
    const { spawnSync } = await import('node:child_process');
    const script = path.resolve('scripts/release');
    const ok = spawnSync(script, ['--key', keyFile, '--repo', w.repo, '--bundle', program['0.2.0']!], { encoding: 'utf8' });
    expect(ok.stderr).toMatch(/release: v0\.2\.0 = commit [0-9a-f]{40}/);
    expect(ok.status).toBe(0);
    expect(remote(w, launcher, ['update']).status).toBe(0);
    expect(versionOf(w, launcher)).toBe('slurmhop 0.2.0');

    // With a key that the bundle does not trust, no tag is left behind.
    const wrongFile = path.join(w.dir, 'wrong.key');
    fs.writeFileSync(wrongFile, otherKey.privateKey, { mode: 0o600 });
    const bad = spawnSync(script, ['--key', wrongFile, '--repo', w.repo, '--bundle', program['0.3.0']!], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('the bundle refuses this release');
    expect(spawnSync('git', ['-C', w.repo, 'tag'], { encoding: 'utf8' }).stdout.trim()).toBe('v0.2.0');
  });
});
