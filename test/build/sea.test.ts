// The single executables of `npm run build`: they run without Node.js, answer
// --version like the bundle, print no SEA/experimental warnings, and both
// arches carry exactly the bundle as their program (an asset beside their
// first script, src/cli/first-script.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CAN_RUN_X64, CJS, DIST, SEA, VERSION, artifact, envWithoutNode } from './artifacts.js';

const WARNING = /Warning|ExperimentalWarning|require\(\) built-in|single executable/i;
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

describe.runIf(CAN_RUN_X64)('dist/remote-linux-x64 (run here)', () => {
  const { env, remove } = envWithoutNode();
  afterAll(remove);
  const run = (...args: string[]) =>
    spawnSync(artifact(SEA.x64), args, { env, cwd: env.HOME, encoding: 'utf8', timeout: 30_000 });

  it('answers --version with no Node.js on PATH', () => {
    expect(spawnSync('node', ['--version'], { env }).error, 'node must not be reachable').toBeDefined();
    const r = run('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`slurmhop ${VERSION}\n`);
    expect(r.status).toBe(0);
  });

  it('prints no experimental, SEA or require() warning when the whole program loads', () => {
    for (const args of [['no-such-command'], ['help']]) {
      const r = run(...args);
      expect(r.error).toBeUndefined();
      expect(r.signal).toBeNull();
      expect(r.stderr, `remote ${args.join(' ')}`).not.toMatch(WARNING);
    }
  });

  it("ignores the user's NODE_OPTIONS: a broken one or a V8 flag neither stops it nor makes it warn", () => {
    for (const NODE_OPTIONS of ['--no-such-node-flag', '--max-old-space-size=100']) {
      const r = spawnSync(artifact(SEA.x64), ['help'], { env: { ...env, NODE_OPTIONS }, cwd: env.HOME, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, `NODE_OPTIONS=${NODE_OPTIONS}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('remote proxy <profile>');
    }
  });

  it('runs the whole program from the asset beside its first script, with a code cache V8 takes', () => {
    const r = run('--version', '--verbose');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("running:    the executable's built-in copy");
    expect(r.stdout).toContain('code cache: used');
  });

  it('gives the same --version as dist/remote.cjs', () => {
    const bundle = spawnSync(process.execPath, [artifact(CJS), '--version'], { env, encoding: 'utf8' });
    expect(bundle.status).toBe(0);
    expect(run('--version').stdout).toBe(bundle.stdout);
  });
});

describe.each(['x64', 'arm64'] as const)('dist/remote-linux-%s (contents)', (arch) => {
  it('is executable, has its SEA fuse set and carries dist/remote.cjs byte for byte', () => {
    const file = artifact(SEA[arch]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o755);
    const bin = fs.readFileSync(file);
    const fuse = bin.indexOf(FUSE);
    expect(fuse, 'sentinel fuse present').toBeGreaterThan(0);
    expect(bin.toString('latin1', fuse + FUSE.length, fuse + FUSE.length + 2)).toBe(':1');
    expect(bin.includes(fs.readFileSync(artifact(CJS))), 'bundle embedded').toBe(true);
  });
});

describe('dist/SHA256SUMS', () => {
  it('lists every artifact with its current sha256', () => {
    const lines = fs.readFileSync(artifact(path.join(DIST, 'SHA256SUMS')), 'utf8').trim().split('\n');
    const listed = new Map(lines.map((l) => [l.slice(66), l.slice(0, 64)]));
    expect([...listed.keys()].sort()).toEqual(['laptop/slurmhop.cjs', 'remote-front', 'remote-linux-arm64', 'remote-linux-x64', 'remote.cjs']);
    for (const [name, sum] of listed) {
      expect(createHash('sha256').update(fs.readFileSync(path.join(DIST, name))).digest('hex'), name).toBe(sum);
    }
  });
});

// Only where qemu-user and an aarch64 sysroot are installed (apt: qemu-user
// libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross).
const QEMU = '/usr/bin/qemu-aarch64';
const SYSROOT = '/usr/aarch64-linux-gnu';
const HAS_QEMU = CAN_RUN_X64 && fs.existsSync(QEMU) && fs.existsSync(`${SYSROOT}/lib/libstdc++.so.6`);

describe.runIf(HAS_QEMU)('dist/remote-linux-arm64 (run under qemu-aarch64)', () => {
  const { env, remove } = envWithoutNode();
  afterAll(remove);
  const run = (...args: string[]) =>
    spawnSync(QEMU, ['-L', SYSROOT, artifact(SEA.arm64), ...args], { env, cwd: env.HOME, encoding: 'utf8', timeout: 60_000 });

  it('answers --version and loads the whole program without warnings', () => {
    const r = run('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`slurmhop ${VERSION}\n`);
    expect(r.status).toBe(0);
    expect(run('help').stderr).not.toMatch(WARNING);
  });
});
