// The updater in a single executable, where it really runs: a login node with
// git but no Node.js. The executable is a test build (the test's release key,
// marked TEST BUILD) made by the same build steps as dist/remote-linux-x64.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeBinary, NODE_VERSION } from '../../scripts/build/node-binary.mjs';
import { makeBlob } from '../../scripts/build/sea-blob.mjs';
import { makeExecutable } from '../../scripts/build/sea.mjs';
import { buildFront, buildProgram, makeKeyPair } from '../update/helpers/builds.js';
import { makeWorld, release, type World } from '../update/helpers/world.js';
import { tempDirs } from '../helpers/tmp.js';
import { CAN_RUN_X64, ROOT } from './artifacts.js';

const tmp = tempDirs('slurmhop-update-sea-');
const WARNING = /Warning|ExperimentalWarning|require\(\) built-in|single executable/i;

describe.runIf(CAN_RUN_X64)('a single executable (test build) updating itself with git and no Node.js', { timeout: 120_000 }, () => {
  const key = makeKeyPair();
  let sea: string;
  let two: string;
  beforeAll(async () => {
    const dir = tmp();
    const builtin = await buildProgram(dir, '0.1.0', key);
    two = await buildProgram(dir, '0.2.0', key);
    const { bin } = await nodeBinary('x64', path.join(ROOT, '.cache', 'node'));
    const blob = await makeBlob({ node: bin, front: await buildFront(dir, '0.1.0', key), program: builtin, dir, codeCache: true });
    sea = path.join(dir, 'remote');
    await makeExecutable({ node: bin, blob, out: sea, injector: path.join(ROOT, 'scripts/build/inject.cjs') });
  }, 120_000);

  const run = (w: World, ...args: string[]) => spawnSync(sea, args, { env: w.env, cwd: w.home, encoding: 'utf8', timeout: 60_000 });

  it('installs a release, runs it next time, explains itself, and rolls back', async () => {
    const w = makeWorld(tmp());
    expect(spawnSync('node', ['--version'], { env: w.env }).error, 'node must not be reachable').toBeDefined();
    await release(w, key, '0.2.0', two);

    expect(run(w, '--version').stdout).toBe('slurmhop 0.1.0\n');
    const update = run(w, 'update');
    expect(update.stderr).not.toMatch(WARNING);
    expect(update.stdout).toBe('installed 0.2.0 (was built-in 0.1.0): the next "remote" run uses it\n');
    expect(update.status).toBe(0);

    const version = run(w, '--version');
    expect(version).toMatchObject({ stdout: 'slurmhop 0.2.0\n', stderr: '', status: 0 });
    const verbose = run(w, '--version', '--verbose').stdout;
    expect(verbose).toContain(`executable: ${sea} (built-in copy 0.1.0, Node.js ${NODE_VERSION})`);
    expect(verbose).toContain('installed release in');
    expect(verbose).toContain('(TEST BUILD)');
    const help = run(w, 'help');
    expect(help.stdout).toMatch(/^slurmhop 0\.2\.0: /);
    expect(help.stderr).not.toMatch(WARNING);

    expect(run(w, 'rollback').stdout).toContain('rolled back from 0.2.0 to built-in 0.1.0');
    expect(run(w, '--version').stdout).toBe('slurmhop 0.1.0\n');
  });
});
