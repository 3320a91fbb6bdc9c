// dist/remote-front is the front the program renders (so the executable's
// refresh agrees with what setup installs), and the built executable, run in
// its layout, rewrites a front of another version.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRONT_MARK, renderFront } from '../../src/front/index.js';
import { artifact, CAN_RUN_X64, DIST, envWithoutNode, SEA } from './artifacts.js';

describe('the front of remote in the build', () => {
  it('dist/remote-front is the text the program renders, executable, listed in dist/SHA256SUMS and in the package\'s dist/sea', () => {
    const front = artifact(path.join(DIST, 'remote-front'));
    expect(fs.readFileSync(front, 'utf8')).toBe(renderFront());
    expect(fs.statSync(front).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(path.join(DIST, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}remote-front$/m);
    expect(fs.readFileSync(path.join(DIST, 'sea', 'remote-front'), 'utf8')).toBe(renderFront());
    expect(fs.readFileSync(path.join(DIST, 'sea', 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}remote-front$/m);
  });

  it.runIf(CAN_RUN_X64)('the executable in its layout rewrites a front of another version when it runs', () => {
    const { env, remove } = envWithoutNode();
    try {
      const root = path.join(env.HOME!, '.local');
      const executable = path.join(root, 'lib/slurmhop/remote');
      const front = path.join(root, 'bin/remote');
      fs.mkdirSync(path.dirname(executable), { recursive: true });
      fs.mkdirSync(path.dirname(front), { recursive: true });
      fs.copyFileSync(artifact(SEA.x64), executable);
      fs.chmodSync(executable, 0o755);
      fs.writeFileSync(front, `#!/bin/bash -p\n${FRONT_MARK} (slurmhop 0.0.1), generated\nexit 0\n`, { mode: 0o755 });
      const r = spawnSync(executable, ['help'], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(front, 'utf8')).toBe(fs.readFileSync(path.join(DIST, 'remote-front'), 'utf8'));
      // Then the front answers, and its answer is the executable's own.
      const viaFront = spawnSync(front, ['--version'], { env, encoding: 'utf8' });
      expect(viaFront.stdout).toBe(spawnSync(executable, ['--version'], { env, encoding: 'utf8' }).stdout);
    } finally {
      remove();
    }
  });
});
