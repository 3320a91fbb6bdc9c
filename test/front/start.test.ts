// What the front does before (or instead of) starting the executable: it
// answers --version itself, checks the address-space limit Node needs
// (address-space.ts, the same decision in bash) and sets the one-arena
// setting under a cap; everything else reaches the executable unchanged.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS_EXIT, MIN_ADDRESS_SPACE_MIB } from '../../src/address-space.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { VERSION } from '../../src/version.js';
import { tempDirs } from '../helpers/tmp.js';
import { makeWorld, type World } from './world.js';

const tmp = tempDirs('slurmhop-front-start-');

/** The front under `ulimit -v KIB` (soft), as a login node's pam_limits would set it. */
function run(world: World, args: string[], options: { kib?: number; env?: NodeJS.ProcessEnv } = {}) {
  const limit = options.kib === undefined ? '' : `ulimit -S -v ${options.kib} && `;
  return spawnSync('/bin/bash', ['-c', `${limit}exec "$0" "$@"`, world.front, ...args], { env: { ...world.env, ...options.env }, encoding: 'utf8' });
}

describe('the front of remote, before the executable', () => {
  it('answers --version itself, as the executable would', () => {
    const world = makeWorld(tmp());
    for (const flag of ['--version', '-V']) {
      const r = run(world, [flag]);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `slurmhop ${VERSION}\n`, '']);
    }
    expect(world.handedOver()).toEqual([]);
  });

  it('leaves --version to the executable when an installed release may run instead (update/current.json)', () => {
    const world = makeWorld(tmp());
    fs.mkdirSync(path.join(world.state, 'update'), { recursive: true });
    fs.writeFileSync(path.join(world.state, 'update', 'current.json'), '{"version":"9.9.9"}\n');
    expect(run(world, ['--version']).status).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([['--version']]);
  });

  it('hands every other command to the executable with its arguments as they are', () => {
    const world = makeWorld(tmp());
    const args = ['list', '--json', 'a b', '', '*', "it's"];
    expect(run(world, args).status).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([args]);
  });

  it(`below ${MIN_ADDRESS_SPACE_MIB} MiB of address space: says which limit and what to ask for, exit ${LIMITS_EXIT}, and starts nothing`, () => {
    expect(LIMITS_EXIT).toBe(EXIT.limits);
    const world = makeWorld(tmp());
    const r = run(world, ['list'], { kib: 300_000 });
    expect(r.status).toBe(LIMITS_EXIT);
    expect(r.stderr).toContain('slurmhop: this login node limits the address space of your session to 292 MiB (ulimit -v 300000); remote needs at least');
    expect(r.stderr).toContain(`at least ${MIN_ADDRESS_SPACE_MIB * 1024} KiB`);
    expect(world.handedOver()).toEqual([]);
  });

  it('under a cap it can start with: the executable starts with one malloc arena at once (no restart of its own), unless the user chose one', () => {
    const world = makeWorld(tmp());
    run(world, ['list'], { kib: 1_048_576 });
    run(world, ['list']);
    run(world, ['list'], { kib: 1_048_576, env: { MALLOC_ARENA_MAX: '4' } });
    expect(world.handedOver().map((h) => h.arena)).toEqual(['1/1', '/', '4/']);
  });

  it('found through a link to it, it still finds the executable beside it', () => {
    const world = makeWorld(tmp());
    const link = path.join(world.home, 'my-remote');
    fs.symlinkSync(world.front, link);
    expect(spawnSync(link, ['list'], { env: world.env }).status).toBe(99);
    expect(world.handedOver().map((h) => h.args)).toEqual([['list']]);
  });

  it('without the executable: says where it should be and how to get it back (exit 127, as a shell would)', () => {
    const world = makeWorld(tmp());
    fs.rmSync(world.executable);
    const r = run(world, ['list']);
    expect(r.status).toBe(127);
    expect(r.stderr).toContain(`slurmhop: ${path.dirname(world.front)}/../lib/slurmhop/remote is missing or cannot run`);
    expect(r.stderr).toContain('run "slurmhop setup" on your computer again');
  });

  it("the user's locale reaches the executable unchanged (the front itself runs in C)", () => {
    const world = makeWorld(tmp());
    fs.writeFileSync(world.executable, `#!/bin/bash\necho "\${LC_ALL-unset} \${LANG-unset}"\n`);
    expect(run(world, ['list'], { env: { LC_ALL: 'de_DE.UTF-8' } }).stdout).toBe('de_DE.UTF-8 C.UTF-8\n');
    expect(run(world, ['list']).stdout).toBe('unset C.UTF-8\n');
  });
});
