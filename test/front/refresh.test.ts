// The executable keeps the front beside it current (front/refresh.ts): a
// front of another version is rewritten, atomically; what is no front, or no
// layout, is left alone; a front older than update/current.json (an update
// or a rollback since, after which the front steps aside) is made newer.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRONT_MARK, installedRoot, refreshFront, renderFront } from '../../src/front/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-front-refresh-');

function layout(frontText: string | undefined) {
  const dir = tmp();
  const root = path.join(dir, 'root');
  const executable = path.join(root, 'lib/slurmhop/remote');
  const front = path.join(root, 'bin/remote');
  const current = path.join(dir, 'state/update/current.json');
  fs.mkdirSync(path.dirname(executable), { recursive: true });
  fs.mkdirSync(path.dirname(front), { recursive: true });
  fs.writeFileSync(executable, '');
  if (frontText !== undefined) fs.writeFileSync(front, frontText, { mode: 0o755 });
  return { root, executable, front, current };
}

const older = (file: string, seconds: number) => fs.utimesSync(file, new Date(Date.now() - seconds * 1000), new Date(Date.now() - seconds * 1000));

describe('the front, kept current by the executable', () => {
  it("another version's front is replaced by this version's, executable, and the same file name only (no temporary left)", () => {
    const { root, front, current } = layout(`#!/bin/bash -p\n${FRONT_MARK} (slurmhop 0.0.1), generated\nexit 0\n`);
    expect(refreshFront(root, renderFront, current)).toBe('rewritten');
    expect(fs.readFileSync(front, 'utf8')).toBe(renderFront());
    expect(fs.statSync(front).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(path.dirname(front))).toEqual(['remote']);
    expect(refreshFront(root, renderFront, current)).toBe('current');
  });

  it('a file that is no front (the old layout\'s executable, a script of the user\'s) is left as it is, as is a missing one', () => {
    const mine = '#!/bin/sh\necho my own remote\n';
    const { root, front, current } = layout(mine);
    expect(refreshFront(root, renderFront, current)).toBe('not-a-front');
    expect(fs.readFileSync(front, 'utf8')).toBe(mine);
    const gone = layout(undefined);
    expect(refreshFront(gone.root, renderFront, gone.current)).toBe('failed');
    expect(fs.existsSync(gone.front)).toBe(false);
  });

  it('an executable outside the layout (a build, a test copy) touches nothing', () => {
    expect(refreshFront(installedRoot('/usr/local/bin/remote-linux-x64', '/usr/local/bin/remote-linux-x64'))).toBe('not-installed');
  });

  it('the root is the one the front started (lib/slurmhop a link elsewhere), else the resolved path', () => {
    expect(installedRoot('/home/ana/.local/bin/../lib/slurmhop/remote', '/opt/elsewhere/remote')).toBe('/home/ana/.local');
    expect(installedRoot('remote-linux-x64', '/home/ana/.local/lib/slurmhop/remote')).toBe('/home/ana/.local');
  });

  it('this text already, but older than current.json (an update installed since): touched newer, so the warm path is the front\'s again', () => {
    const { root, front, current } = layout(renderFront());
    fs.mkdirSync(path.dirname(current), { recursive: true });
    fs.writeFileSync(current, '{}\n');
    older(front, 60);
    expect(refreshFront(root, renderFront, current)).toBe('touched');
    expect(fs.statSync(front).mtimeMs).toBeGreaterThan(fs.statSync(current).mtimeMs);
    expect(refreshFront(root, renderFront, current)).toBe('current');
  });
});
