import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStateDir } from '../../src/doctor/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-state-');

function withState(mode = 0o700) {
  const deps = fakeHome(tmp());
  fs.mkdirSync(path.join(deps.stateDir, 'jobs', '41'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(deps.stateDir, 'hostkey'), { mode: 0o700 });
  fs.chmodSync(deps.stateDir, mode);
  return deps;
}

describe('doctor: the state directory', () => {
  it('does not exist yet: ok, the first connect creates it', () => {
    const deps = fakeHome(tmp());
    expect(checkStateDir(deps)).toMatchObject({ status: 'ok', summary: `${deps.stateDir} does not exist yet (the first connect creates it, 0700)` });
  });

  it('0700 and yours, subdirectories too: ok', () => {
    const deps = withState();
    expect(checkStateDir(deps)).toEqual({ name: 'state directory', status: 'ok', summary: `${deps.stateDir}: 0700, yours` });
  });

  it('chmod 755: fails with the fix, and doctor leaves the mode as it found it', () => {
    const deps = withState(0o755);
    expect(checkStateDir(deps)).toEqual({
      name: 'state directory',
      status: 'fail',
      summary: `${deps.stateDir} is 0755: your group and others can read/enter it`,
      fix: `chmod 700 ${deps.stateDir}`,
    });
    expect(fs.statSync(deps.stateDir).mode & 0o777).toBe(0o755);
  });

  it('a subdirectory or a job directory others can read: named, with the fix', () => {
    const deps = withState();
    const job = path.join(deps.stateDir, 'jobs', '41');
    fs.chmodSync(job, 0o750);
    const r = checkStateDir(deps);
    expect(r.status).toBe('fail');
    expect(r.summary).toBe(`not private (0700, yours): ${job}`);
    expect(r.fix).toContain(`chmod 700 ${job}`);
  });

  it('a symlink, or not yours: fails (ensurePrivateDir would refuse it too)', () => {
    const deps = withState();
    const elsewhere = `${deps.stateDir}-real`;
    fs.renameSync(deps.stateDir, elsewhere);
    fs.symlinkSync(elsewhere, deps.stateDir);
    expect(checkStateDir(deps)).toMatchObject({ status: 'fail', summary: `${deps.stateDir} is a symlink` });
    const other = { ...withState(), uid: process.getuid!() + 1 };
    expect(checkStateDir(other)).toMatchObject({ status: 'fail', summary: `${other.stateDir} belongs to uid ${process.getuid!()}, not to you (uid ${other.uid})` });
    expect(checkStateDir(other).fix).toContain('ask your admins');
  });

  it('little free space: a warning', () => {
    const deps = { ...withState(), freeBytes: () => 3 * 2 ** 20 };
    expect(checkStateDir(deps)).toMatchObject({ status: 'warn', summary: `only 3.0 MiB free where ${deps.stateDir} is` });
  });
});
