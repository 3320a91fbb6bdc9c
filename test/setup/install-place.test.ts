// Where setup installs remote on the cluster: ~/.local where the home runs
// executables, else the first usual place that does (a script written and run
// there), else --install-dir's; refused, naming what was tried, where none works.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInstallDir, choosePlace, parsePlaces, PLACE_PROBE, type PlaceProbe } from '../../src/setup/install-place.js';
import { SetupError, SETUP_EXIT } from '../../src/setup/errors.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-place-');

const failure = (fn: () => unknown): SetupError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SetupError) return err;
    throw err;
  }
  throw new Error('did not fail');
};

const probe = (label: string, dir: string, result: PlaceProbe['result'], fsType = 'lustre'): PlaceProbe => ({ label, dir, result, fsType });

describe('the place remote is installed in', () => {
  it('a home that runs executables: ~/.local, named relative to the home as before', () => {
    expect(choosePlace([probe('home', '/home/ana/.local', 'ok', 'nfs4')], undefined, '/home/ana')).toEqual({ root: '/home/ana/.local', front: '.local/bin/remote', executable: '.local/lib/slurmhop/remote' });
  });

  it('a noexec home: the first place that runs executables, under a directory of its own, with why', () => {
    const place = choosePlace([probe('home', '/home/ana/.local', 'noexec'), probe('$WORK', '', 'unset'), probe('$PROJECT', '/proj/ana', 'not-writable'), probe('$SCRATCH', '/scratch/ana', 'ok')], undefined, '/home/ana');
    expect(place).toEqual({
      root: '/scratch/ana/slurmhop',
      front: '/scratch/ana/slurmhop/bin/remote',
      executable: '/scratch/ana/slurmhop/lib/slurmhop/remote',
      why: 'your home on the login node (/home/ana) is mounted noexec; $SCRATCH (/scratch/ana) is writable and runs executables (lustre)',
    });
  });

  it('a place on a file system local to the login node is warned about: the job runs the executable on the nodes', () => {
    expect(choosePlace([probe('home', '/home/ana/.local', 'noexec'), probe('/scratch/$USER', '/scratch/ana', 'ok', 'xfs')], undefined, '/home/ana').warning).toBe(
      '/scratch/ana/slurmhop is on a xfs file system, which is usually local to the login node: the compute nodes must see it at the same path (the job runs the executable there)',
    );
  });

  it('no place works: exit 6, every place tried with what it was, and what to do', () => {
    const e = failure(() => choosePlace([probe('home', '/home/ana/.local', 'noexec'), probe('$WORK', '', 'unset'), probe('$SCRATCH', '/scratch/ana', 'missing'), probe('/work/$USER', '/work/ana', 'noexec')], undefined, '/home/ana'));
    expect(SETUP_EXIT[e.kind]).toBe(6);
    expect(e.message).toBe('your home on the login node (/home/ana) is mounted noexec, and none of the usual places for programs works ($WORK: not set; $SCRATCH (/scratch/ana): no such directory; /work/$USER (/work/ana): mounted noexec)');
    expect(e.hint).toContain('--install-dir DIR');
  });

  it('--install-dir: its directory, if it runs executables; else refused', () => {
    expect(choosePlace([probe('--install-dir', '/proj/ana/tools', 'ok')], '$PROJECT/tools', '/home/ana')).toMatchObject({ root: '/proj/ana/tools', front: '/proj/ana/tools/bin/remote', why: '--install-dir $PROJECT/tools' });
    const e = failure(() => choosePlace([probe('--install-dir', '/home/ana/x', 'noexec')], '~/x', '/home/ana'));
    expect([SETUP_EXIT[e.kind], e.message]).toEqual([6, '--install-dir ~/x: --install-dir (/home/ana/x): mounted noexec']);
  });

  it('--install-dir takes plain absolute paths, ~/ and $VARIABLE/ ones, nothing a login shell would read otherwise', () => {
    for (const ok of ['/scratch/ana/slurmhop', '~/bin-exec', '$SCRATCH/slurmhop', '$WORK', '/a/']) expect(() => checkInstallDir(ok)).not.toThrow();
    for (const bad of ['relative/dir', '/with space', '$(touch x)', '~user/x', '/a;b', '${HOME}/x', '']) expect(SETUP_EXIT[failure(() => checkInstallDir(bad)).kind], bad).toBe(2);
  });
});

// The probe's sh itself, on a real noexec mount (a tmpfs mounted noexec here, as root).
const mountDir = fs.mkdtempSync('/tmp/slurmhop-noexec-');
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'noexec,size=1m', 'tmpfs', mountDir]).status === 0;
afterAll(() => {
  if (mounted) spawnSync('umount', [mountDir]);
  fs.rmSync(mountDir, { recursive: true, force: true });
});

function runProbe(env: NodeJS.ProcessEnv, installDir = ''): PlaceProbe[] {
  const r = spawnSync('/bin/sh', ['-c', `set -u\n${PLACE_PROBE}`, 'sh', installDir], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return parsePlaces(r.stdout.split('\n'));
}

describe.runIf(mounted)('the probe on the login node (a noexec tmpfs standing for the home: needs root to mount)', () => {
  it('a home that runs executables: home only, nothing left behind', () => {
    const home = tmp();
    expect(runProbe({ HOME: home, USER: 'ana' }).map((p) => [p.label, p.result])).toEqual([['home', 'ok']]);
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('a noexec home: the candidates in order, up to the first that runs a script', () => {
    const scratch = tmp();
    const places = runProbe({ HOME: mountDir, USER: 'ana', PROJECT: path.join(mountDir, 'proj'), SCRATCH: scratch });
    fs.mkdirSync(path.join(mountDir, 'proj'), { recursive: true });
    const again = runProbe({ HOME: mountDir, USER: 'ana', PROJECT: path.join(mountDir, 'proj'), SCRATCH: scratch });
    expect(places.map((p) => [p.label, p.result])).toEqual([['home', 'noexec'], ['$WORK', 'unset'], ['$PROJECT', 'missing'], ['$SCRATCH', 'ok']]);
    expect(again.map((p) => [p.label, p.result])).toEqual([['home', 'noexec'], ['$WORK', 'unset'], ['$PROJECT', 'noexec'], ['$SCRATCH', 'ok']]);
    expect(again[3]!.dir).toBe(scratch);
    expect(fs.readdirSync(scratch)).toEqual([]);
    expect(fs.readdirSync(mountDir)).toEqual(['proj']);
  });

  it('--install-dir, expanded on the login node: ~/ and $VARIABLE/, tested where it will be (or its nearest directory)', () => {
    const home = tmp();
    expect(runProbe({ HOME: home }, '~/tools/slurmhop').map((p) => [p.label, p.dir, p.result])).toEqual([['--install-dir', `${home}/tools/slurmhop`, 'ok']]);
    expect(runProbe({ HOME: home, MINE: mountDir }, '$MINE/x').map((p) => [p.dir, p.result])).toEqual([[`${mountDir}/x`, 'noexec']]);
    expect(runProbe({ HOME: home }, '$UNSET_HERE/x').map((p) => p.result)).toEqual(['unset']);
  });
});
