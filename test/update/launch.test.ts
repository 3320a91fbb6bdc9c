// The launcher: which copy runs. An installed release runs only if it verifies
// against the built-in key every time; anything wrong means the built-in copy
// runs, with a warning on stderr and a line in the update log.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { signRelease, makeManifest } from '../../src/update/index.js';
import { buildLauncherAndRelease, buildProgram, makeKeyPair } from './helpers/builds.js';
import { makeWorld, readLog, release, remote, versionOf, type World } from './helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-launch-');
const key = makeKeyPair();
let launcher: string;
let two: string;

beforeAll(async () => {
  ({ launcher, two } = await buildLauncherAndRelease(tmp(), key));
}, 60_000);

async function withTwo(): Promise<World> {
  const w = makeWorld(tmp());
  await release(w, key, '0.2.0', two);
  expect(remote(w, launcher, ['update']).status).toBe(0);
  return w;
}

const versionDir = (w: World, v: string) => path.join(w.updateDir, 'versions', v);

describe('the launcher', { timeout: 60_000 }, () => {
  it('runs the built-in copy when the installed release was changed on disk, and says so', async () => {
    const w = await withTwo();
    const bundle = path.join(versionDir(w, '0.2.0'), 'remote.cjs');
    fs.appendFileSync(bundle, '\n// changed\n');
    const r = remote(w, launcher, ['--version']);
    expect(r.stdout).toBe('slurmhop 0.1.0\n');
    expect(r.stderr).toBe('slurmhop: warning: installed 0.2.0 cannot run (remote.cjs is ' +
      `${fs.statSync(bundle).size} bytes, the signed release.json says ${fs.statSync(bundle).size - 12}); running the built-in 0.1.0\n`);
    expect(readLog(w)).toContain('cannot run installed 0.2.0: remote.cjs is');
    expect(remote(w, launcher, ['--version', '--verbose']).stdout).toContain('installed release not used: remote.cjs is');
  });

  it('runs the built-in copy when a signed release fails to load', async () => {
    const w = await withTwo();
    // Signed with the right key, so only loading it can show that it is broken.
    const broken = Buffer.from('throw new Error("cannot load");\n');
    const files = signRelease(makeManifest('0.2.0', broken), broken, key.privateKey);
    fs.writeFileSync(path.join(versionDir(w, '0.2.0'), 'remote.cjs'), files.bundle);
    fs.writeFileSync(path.join(versionDir(w, '0.2.0'), 'release.json'), files.manifest);
    fs.writeFileSync(path.join(versionDir(w, '0.2.0'), 'release.json.sig'), files.signature);
    const r = remote(w, launcher, ['--version']);
    expect(r.stdout).toBe('slurmhop 0.1.0\n');
    expect(r.stderr).toContain('installed 0.2.0 cannot run (it failed to load: cannot load)');
  });

  it('ignores an unreadable current.json and a missing version directory', async () => {
    const w = await withTwo();
    fs.writeFileSync(path.join(w.updateDir, 'current.json'), '{ half');
    expect(remote(w, launcher, ['--version'])).toMatchObject({ stdout: 'slurmhop 0.1.0\n', stderr: '', status: 0 });
    fs.writeFileSync(path.join(w.updateDir, 'current.json'), JSON.stringify({ version: '0.5.0', pinned: false }));
    const r = remote(w, launcher, ['--version']);
    expect(r.stdout).toBe('slurmhop 0.1.0\n');
    expect(r.stderr).toMatch(/installed 0\.5\.0 cannot run \(ENOENT/);
  });

  it('runs an older installed release only when it was chosen (rollback, --version)', async () => {
    const w = await withTwo();
    fs.writeFileSync(path.join(w.updateDir, 'current.json'), JSON.stringify({ version: '0.2.0', pinned: false }));
    const newer = await buildProgram(tmp(), '0.3.0', key);
    // The executable is replaced by a newer one (say, by the setup wizard): its built-in copy wins.
    expect(versionOf(w, newer)).toBe('slurmhop 0.3.0');
    fs.writeFileSync(path.join(w.updateDir, 'current.json'), JSON.stringify({ version: '0.2.0', pinned: true }));
    expect(versionOf(w, newer)).toBe('slurmhop 0.2.0');
  });

  it('--bundle runs only a directory that verifies', async () => {
    const w = await withTwo();
    const copy = path.join(w.dir, 'copy');
    fs.cpSync(versionDir(w, '0.2.0'), copy, { recursive: true });
    expect(remote(w, launcher, ['--bundle', copy, '--version'])).toMatchObject({ stdout: 'slurmhop 0.2.0\n', status: 0 });
    expect(remote(w, launcher, ['--bundle', copy, '--self-check']).stdout).toMatch(/^\{"selfCheck":"ok","version":"0\.2\.0"/);
    fs.writeFileSync(path.join(copy, 'release.json.sig'), `${Buffer.alloc(64).toString('base64')}\n`);
    const r = remote(w, launcher, ['--bundle', copy, '--version']);
    expect(r.status).toBe(EXIT['update-rejected']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('not a verified release: bad signature');
  });

  it('answers --version from an installed release without loading the rest of the program', async () => {
    const w = await withTwo();
    const list = path.join(w.dir, 'modules.json');
    const script = `
      process.argv = [process.argv[0], ${JSON.stringify(launcher)}, '--version'];
      process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)));
      require(${JSON.stringify(launcher)});`;
    const out = path.join(w.dir, 'out');
    const fd = fs.openSync(out, 'w');
    spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', fd, fd], env: w.env });
    fs.closeSync(fd);
    expect(fs.readFileSync(out, 'utf8')).toBe('slurmhop 0.2.0\n');
    const modules = JSON.parse(fs.readFileSync(list, 'utf8')) as string[];
    for (const m of ['NativeModule child_process', 'NativeModule net']) expect(modules).not.toContain(m);
  });
});
