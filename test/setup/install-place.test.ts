// Where setup installs remote on the cluster: ~/.local where the home runs
// executables, else the first usual place that does (a script written and run
// there), else --install-dir's; refused, naming what was tried, where none works.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInstallDir, choosePlace, parsePlaces, PLACE_PROBE, type PlaceProbe } from '../../src/setup/install-place.js';
import { SETUP_EXIT } from '../../src/setup/errors.js';
import { setupFailure } from '../helpers/setup-failure.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-place-');

const failure = setupFailure;

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

  it('a place another user could change is passed over, and named with why where none works', () => {
    const unsafe = probe('$PROJECT', '/proj/grp', 'unsafe', 'lustre');
    unsafe.detail = '/proj/grp can be written by its group or others (mode 2775)';
    expect(choosePlace([probe('home', '/home/ana/.local', 'noexec'), probe('$WORK', '', 'unset'), unsafe, probe('$SCRATCH', '/scratch/ana', 'ok')], undefined, '/home/ana').root).toBe('/scratch/ana/slurmhop');
    const e = failure(() => choosePlace([probe('home', '/home/ana/.local', 'noexec'), probe('$WORK', '', 'unset'), unsafe, probe('$SCRATCH', '/scratch/ana', 'missing')], undefined, '/home/ana'));
    expect(SETUP_EXIT[e.kind]).toBe(6);
    expect(e.message).toBe('your home on the login node (/home/ana) is mounted noexec, and none of the usual places for programs works ($WORK: not set; $PROJECT (/proj/grp): not safe (/proj/grp can be written by its group or others (mode 2775)); $SCRATCH (/scratch/ana): no such directory)');
    expect(e.hint).toContain('--install-dir DIR');
    expect(e.hint).toContain('only you may be able to write');
  });

  it('an unsafe --install-dir is refused (exit 6), naming the option, why and what to do', () => {
    const p = probe('--install-dir', '/proj/grp/tools', 'unsafe');
    p.detail = '/proj/grp can be written by its group or others (mode 2775)';
    const e = failure(() => choosePlace([p], '$PROJECT/tools', '/home/ana'));
    expect([SETUP_EXIT[e.kind], e.message]).toEqual([6, '--install-dir $PROJECT/tools: --install-dir (/proj/grp/tools): not safe (/proj/grp can be written by its group or others (mode 2775))']);
    expect(e.hint).toMatch(/chmod go-w.*--install-dir/);
  });

  it('an unsafe ~/.local in a home that runs programs is refused, not gone round', () => {
    const p = probe('home', '/home/ana/.local', 'unsafe');
    p.detail = '/home/ana/.local can be written by its group or others (mode 775)';
    const e = failure(() => choosePlace([p], undefined, '/home/ana'));
    expect([SETUP_EXIT[e.kind], e.message]).toEqual([6, '~/.local on the login node is not safe for remote: /home/ana/.local can be written by its group or others (mode 775)']);
    expect(e.hint).toContain('chmod go-w');
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

/** `plant`: sh run first by the same process (its $$ is the probe's), as another user could do beforehand. */
function runProbe(env: NodeJS.ProcessEnv, installDir = '', plant = ''): PlaceProbe[] {
  const r = spawnSync('/bin/sh', ['-c', `${plant}\nexec /bin/sh -c "$0" sh "$1"`, `set -u\n${PLACE_PROBE}`, installDir], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return parsePlaces(r.stdout.split('\n'));
}

/** A group other than the user's private one (here root's): Debian's `users`, 100. */
const SHARED_GID = 100;
/** Writable by a group that others are in (a shared project space). */
function groupWritable(dir: string, mode: number): void {
  fs.chownSync(dir, process.getuid!(), SHARED_GID);
  fs.chmodSync(dir, mode);
}

describe('the probe refuses a place another user could change (run here as root: root and this uid count as the user)', () => {
  const at = (dir: string) => runProbe({ HOME: tmp() }, dir)[0]!;

  it('a directory above the root that its group can write (a shared project space): unsafe, nothing written there', () => {
    const proj = path.join(tmp(), 'proj');
    fs.mkdirSync(proj);
    groupWritable(proj, 0o2775);
    expect(at(`${proj}/tools`)).toMatchObject({ result: 'unsafe', detail: `${proj} can be written by its group or others (mode 2775)` });
    expect(fs.readdirSync(proj)).toEqual([]);
  });

  it('a private directory inside a group-writable space: unsafe too (the group can rename it and put another in its place)', () => {
    const proj = path.join(tmp(), 'proj');
    fs.mkdirSync(path.join(proj, 'ana'), { recursive: true, mode: 0o700 });
    groupWritable(proj, 0o2775);
    expect(at(`${proj}/ana/slurmhop`)).toMatchObject({ result: 'unsafe', detail: `${proj} can be written by its group or others (mode 2775)` });
  });

  it("a directory above the root that is another user's: unsafe", () => {
    const other = path.join(tmp(), 'bob');
    fs.mkdirSync(other);
    fs.chownSync(other, 4242, 4242);
    expect(at(`${other}/slurmhop`)).toMatchObject({ result: 'unsafe', detail: `${other} belongs to another user (uid 4242)` });
  });

  it('an existing root that its group can write, or that is a link: unsafe', () => {
    const root = path.join(tmp(), 'slurmhop');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    groupWritable(path.join(root, 'bin'), 0o775);
    expect(at(root)).toMatchObject({ result: 'unsafe', detail: `${root}/bin can be written by its group or others (mode 775)` });
    const link = path.join(tmp(), 'slurmhop');
    fs.symlinkSync(tmp(), link);
    expect(at(link)).toMatchObject({ result: 'unsafe', detail: `${link} is a symbolic link (name the directory it points to instead)` });
  });

  it('a world-writable directory with the sticky bit (as /tmp) may hold a root of the user\'s own; not one of another user', () => {
    const shared = path.join(tmp(), 'scratch');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    expect(at(`${shared}/slurmhop`).result).toBe('ok');
    fs.mkdirSync(`${shared}/slurmhop`);
    fs.chownSync(`${shared}/slurmhop`, 4242, 4242);
    expect(at(`${shared}/slurmhop`)).toMatchObject({ result: 'unsafe', detail: `${shared}/slurmhop belongs to another user (uid 4242)` });
  });

  it("a ~/.local that its group can write is unsafe, and the usual places are not tried", () => {
    const home = tmp();
    fs.mkdirSync(path.join(home, '.local'), { mode: 0o775 });
    groupWritable(path.join(home, '.local'), 0o775);
    expect(runProbe({ HOME: home, SCRATCH: tmp() }).map((p) => [p.label, p.result, p.detail])).toEqual([['home', 'unsafe', `${home}/.local can be written by its group or others (mode 775)`]]);
  });

  it("a ~/.local writable by the user's private group (user private groups, umask 002, as RHEL sets them up): the user's alone, safe", () => {
    const home = tmp();
    fs.mkdirSync(path.join(home, '.local/bin'), { recursive: true });
    // Here the user is root, whose primary group is root: its private group.
    for (const d of ['.local', '.local/bin']) {
      fs.chownSync(path.join(home, d), process.getuid!(), process.getgid!());
      fs.chmodSync(path.join(home, d), 0o775);
    }
    expect(runProbe({ HOME: home }).map((p) => [p.label, p.result])).toEqual([['home', 'ok']]);
  });

  it('the test script gets a name mktemp makes: a link planted at the old predictable name is not followed', () => {
    const home = tmp();
    const victim = path.join(home, 'victim');
    fs.writeFileSync(victim, 'keep\n');
    expect(runProbe({ HOME: home }, '', `ln -s "${victim}" "${home}/.slurmhop-exec-test.$$"`).map((p) => p.result)).toEqual(['ok']);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
  });

  it('without mktemp on the login node, the place is not tested, and the probe says why', () => {
    const bin = tmp();
    for (const tool of ['id', 'stat', 'findmnt', 'head', 'chmod', 'rm']) fs.symlinkSync(spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    const home = tmp();
    expect(runProbe({ HOME: home, PATH: bin })[0]).toEqual({ label: 'home', dir: `${home}/.local`, result: 'not-writable', fsType: expect.any(String), detail: 'mktemp is missing on the login node' });
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

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

  it('a noexec home: a group-writable $PROJECT is passed over, the next place is chosen', () => {
    const proj = tmp();
    groupWritable(proj, 0o2775);
    const scratch = tmp();
    const places = runProbe({ HOME: mountDir, USER: 'ana', PROJECT: proj, SCRATCH: scratch });
    expect(places.map((p) => [p.label, p.result, p.detail])).toEqual([['home', 'noexec', undefined], ['$WORK', 'unset', undefined], ['$PROJECT', 'unsafe', `${proj} can be written by its group or others (mode 2775)`], ['$SCRATCH', 'ok', undefined]]);
    expect(choosePlace(places, undefined, mountDir).root).toBe(`${scratch}/slurmhop`);
    expect(fs.readdirSync(proj)).toEqual([]);
  });

  it('--install-dir, expanded on the login node: ~/ and $VARIABLE/, tested where it will be (or its nearest directory)', () => {
    const home = tmp();
    expect(runProbe({ HOME: home }, '~/tools/slurmhop').map((p) => [p.label, p.dir, p.result])).toEqual([['--install-dir', `${home}/tools/slurmhop`, 'ok']]);
    expect(runProbe({ HOME: home, MINE: mountDir }, '$MINE/x').map((p) => [p.dir, p.result])).toEqual([[`${mountDir}/x`, 'noexec']]);
    expect(runProbe({ HOME: home }, '$UNSET_HERE/x').map((p) => p.result)).toEqual(['unset']);
  });
});
