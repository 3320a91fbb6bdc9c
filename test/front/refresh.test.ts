// The executable keeps the front beside it current (front/refresh.ts): a
// front of another version is rewritten, atomically; what is no front, or no
// layout, is left alone.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRONT_MARK, refreshFront, renderFront } from '../../src/front/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-front-refresh-');

function layout(frontText: string | undefined) {
  const root = path.join(tmp(), 'root');
  const executable = path.join(root, 'lib/slurmhop/remote');
  const front = path.join(root, 'bin/remote');
  fs.mkdirSync(path.dirname(executable), { recursive: true });
  fs.mkdirSync(path.dirname(front), { recursive: true });
  fs.writeFileSync(executable, '');
  if (frontText !== undefined) fs.writeFileSync(front, frontText, { mode: 0o755 });
  return { executable, front };
}

describe('the front, kept current by the executable', () => {
  it("another version's front is replaced by this version's, executable, and the same file name only (no temporary left)", () => {
    const { executable, front } = layout(`#!/bin/bash -p\n${FRONT_MARK} (slurmhop 0.0.1), generated\nexit 0\n`);
    expect(refreshFront(executable)).toBe('rewritten');
    expect(fs.readFileSync(front, 'utf8')).toBe(renderFront());
    expect(fs.statSync(front).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.dirname(front))).toEqual(['remote']);
    expect(refreshFront(executable)).toBe('current');
  });

  it('a file that is no front (the old layout\'s executable, a script of the user\'s) is left as it is, as is a missing one', () => {
    const mine = '#!/bin/sh\necho my own remote\n';
    const { executable, front } = layout(mine);
    expect(refreshFront(executable)).toBe('not-a-front');
    expect(fs.readFileSync(front, 'utf8')).toBe(mine);
    const gone = layout(undefined);
    expect(refreshFront(gone.executable)).toBe('failed');
    expect(fs.existsSync(gone.front)).toBe(false);
  });

  it('an executable outside the layout (a build, a test copy) touches nothing', () => {
    expect(refreshFront('/usr/local/bin/remote-linux-x64')).toBe('not-installed');
  });
});
