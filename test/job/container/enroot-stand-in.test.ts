// The stand-in enroot (test/e2e/containers/stand-ins/enroot) refuses what
// enroot 4.1.2 refuses, with its messages and exit codes: each expectation
// below is a fact in test/e2e/containers/stand-ins/enroot.facts.md, checked by
// hand against enroot 4.1.2. The stand-in runs here directly (no cluster); only
// the last test starts a container, with bubblewrap, when it can run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../../helpers/tmp.js';

const STAND_IN = path.join(import.meta.dirname, '../../../test/e2e/containers/stand-ins/enroot');
const tmp = tempDirs('slurmhop-enroot-stand-in-');
const IS_ROOT = process.getuid?.() === 0;
/** As root, the cases that depend on not being root run as nobody. */
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

const START_USAGE = `Usage: enroot start [options] [--] NAME|IMAGE [COMMAND] [ARG...]

Start a container and invoke the command script within its root filesystem.
Command and arguments are passed to the script as input parameters.

In the absence of a command script and if a command was given, it will be executed directly.
Otherwise, an interactive shell will be started within the container.

 Options:
   -c, --conf CONFIG    Specify a configuration script to run before the container starts
   -e, --env KEY[=VAL]  Export an environment variable inside the container
       --rc SCRIPT      Override the command script inside the container
   -r, --root           Ask to be remapped to root inside the container
   -w, --rw             Make the container root filesystem writable
   -m, --mount FSTAB    Perform a mount from the host inside the container (colon-separated)
`;

let root: string;
let home: string;
let data: string;
let runtime: string;

beforeEach(() => {
  root = tmp();
  fs.chmodSync(root, 0o777); // nobody writes calls.log here
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(STAND_IN, path.join(root, 'bin', 'enroot'));
  fs.chmodSync(path.join(root, 'bin', 'enroot'), 0o755);
  home = path.join(root, 'home');
  fs.mkdirSync(home, { mode: 0o777 });
  fs.chmodSync(home, 0o777);
  data = path.join(home, '.local/share/enroot');
  runtime = path.join(home, 'run');
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function enroot(args: string[], opts: { env?: Record<string, string>; runtimePath?: boolean; asNobody?: boolean; input?: string } = {}): Run {
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: home, ...(opts.runtimePath === false ? {} : { ENROOT_RUNTIME_PATH: runtime }), ...opts.env };
  const argv = [...(opts.asNobody && IS_ROOT ? NOBODY : []), 'bash', path.join(root, 'bin', 'enroot'), ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { env, cwd: home, input: opts.input ?? '', encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A container as `enroot create` leaves it: a folder under ENROOT_DATA_PATH. */
function container(name: string): string {
  const dir = path.join(data, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A tar image (the stand-in's stand-in for squashfs) of a tiny root filesystem. */
function image(name: string, extra: (dir: string) => void = () => {}): string {
  const dir = path.join(root, `${name}-root`);
  for (const d of ['bin', 'etc', 'dev', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'marker'), 'from the image\n');
  extra(dir);
  const file = path.join(home, `${name}.sqsh`);
  const r = spawnSync('tar', ['-C', dir, '-cf', file, '.']);
  expect(r.status).toBe(0);
  fs.chmodSync(file, 0o644);
  return file;
}

describe('stand-in enroot: the grammar of enroot 4.1.2 (enroot.facts.md)', () => {
  it('an unknown option prints the command\'s usage on standard output, exit code 1 [F6]', () => {
    expect(enroot(['start', '--bogus', 't', 'true'])).toEqual({ status: 1, stdout: START_USAGE, stderr: '' });
    expect(enroot(['start', '--mount'])).toEqual({ status: 1, stdout: START_USAGE, stderr: '' });
    expect(enroot(['start', '--mount', '', 't', 'true'])).toEqual({ status: 1, stdout: START_USAGE, stderr: '' });
    expect(enroot(['start', '--help'])).toEqual({ status: 0, stdout: START_USAGE, stderr: '' });
    for (const [command, first] of [['list', 'Usage: enroot list [options]'], ['create', 'Usage: enroot create [options] [--] IMAGE'], ['remove', 'Usage: enroot remove [options] [--] NAME...'], ['import', 'Usage: enroot import [options] [--] URI']] as const) {
      const r = enroot([command, '--bogus', 'x']);
      expect([r.status, r.stdout.split('\n')[0], r.stderr]).toEqual([1, first, '']);
    }
  });

  it('an unknown command, or none, prints the general usage, exit code 1; help exits 0 [F6]', () => {
    for (const args of [['bogus'], []]) {
      const r = enroot(args);
      expect([r.status, r.stdout.split('\n')[0], r.stderr]).toEqual([1, 'Usage: enroot COMMAND [ARG...]', '']);
    }
    expect(enroot(['help']).status).toBe(0);
    expect(enroot(['version'])).toEqual({ status: 0, stdout: '4.1.2\n', stderr: '' });
  });

  it('start refuses a --mount with whitespace: fstab fields are separated by colons [F13]', () => {
    container('t');
    expect(enroot(['start', '--rw', '--mount', '/home/eve /home/eve none x-create=dir,rbind', 't', 'true'])).toEqual({
      status: 1,
      stdout: '',
      stderr: '[ERROR] Invalid argument: /home/eve /home/eve none x-create=dir,rbind\n',
    });
    expect(enroot(['start', '-e', 'BAD NAME=1', 't', 'true']).stderr).toBe('[ERROR] Invalid argument: BAD NAME=1\n');
  });

  it('start of a missing container, or a name with a slash [F13]', () => {
    expect(enroot(['start', 'nope', '/bin/sh', '-c', 'echo hi'])).toEqual({ status: 1, stdout: '', stderr: `[ERROR] No such file or directory: ${data}/nope\n` });
    expect(enroot(['start', 'a/b', 'true'])).toEqual({ status: 1, stdout: '', stderr: '[ERROR] Invalid argument: a/b\n' });
  });

  it('start: SRC:DST:ro is no bind mount, and a missing source fails after its mount point is made [F14, F15]', () => {
    const t = container('t');
    const src = path.join(root, 'src');
    fs.mkdirSync(src);
    expect(enroot(['start', '--mount', `${src}:/data:ro`, 't', 'true'])).toEqual({ status: 1, stdout: '', stderr: `enroot-mount: failed to mount: ${src} at ${t}/data: No such file or directory\n` });
    fs.mkdirSync(path.join(t, 'data'));
    expect(enroot(['start', '--mount', `${src}:/data:ro`, 't', 'true']).stderr).toBe(`enroot-mount: failed to mount: ${src} at ${t}/data: No such device\n`);
    expect(enroot(['start', '--rw', '--mount', '/nonexistent:/nonexistent:none:x-create=dir,rbind', 't', 'true'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `enroot-mount: failed to mount: /nonexistent at ${t}/nonexistent: No such file or directory\n`,
    });
    expect(fs.statSync(path.join(t, 'nonexistent')).isDirectory()).toBe(true);
  });

  it('create refuses an existing name, a missing image, a file that is no image, a name with a slash [F10]', () => {
    const file = image('x');
    container('t');
    expect(enroot(['create', '--name', 't', file])).toEqual({ status: 1, stdout: '', stderr: `[ERROR] File already exists: ${data}/t\n` });
    expect(enroot(['create', '-n', 't2', 'missing.sqsh']).stderr).toBe(`[ERROR] No such file or directory: ${home}/missing.sqsh\n`);
    fs.writeFileSync(path.join(home, 'notes.txt'), 'no image\n');
    expect(enroot(['create', '-n', 't2', 'notes.txt']).stderr).toBe(`[ERROR] Invalid image format: ${home}/notes.txt\n`);
    expect(enroot(['create', '-n', 'a/b', file]).stderr).toBe('[ERROR] Invalid argument: a/b\n');
  });

  it('create unpacks the image and reports like unsquashfs; list names it [F7, F10]', () => {
    const file = image('x');
    const r = enroot(['create', '--name', 't', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual(['[INFO] Extracting squashfs filesystem...', expect.stringMatching(/^Parallel unsquashfs: Using \d+ processors$/)]);
    expect(r.stderr).toContain('\ncreated 1 files\ncreated 5 directories\ncreated 0 symlinks\ncreated 0 devices\ncreated 0 fifos\ncreated 0 sockets\ncreated 0 hardlinks\n');
    expect(fs.readFileSync(path.join(data, 't', 'marker'), 'utf8')).toBe('from the image\n');
    expect(enroot(['list'])).toEqual({ status: 0, stdout: 't\n', stderr: '' });
  });

  it('create of an image with a device node fails without root, exit code 2, and leaves the container [F11]', () => {
    const file = image('dev', (dir) => {
      fs.writeFileSync(path.join(dir, 'dev', 'urandom'), '');
      fs.writeFileSync(path.join(dir, '.standin-devices'), 'dev/urandom c 1 9\n');
    });
    fs.mkdirSync(data, { recursive: true, mode: 0o777 });
    fs.chmodSync(data, 0o777);
    const r = enroot(['create', '--name', 'dev', file], { asNobody: true, env: { ENROOT_DATA_PATH: data } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`\ncreate_inode: could not create character device ${data}/dev/dev/urandom, because you're not superuser!\n`);
    expect(r.stderr).toMatch(/\ncreated 0 devices\n[^]*created 0 hardlinks\n$/);
    expect(fs.existsSync(path.join(data, 'dev', 'dev', 'urandom'))).toBe(false);
    expect(fs.existsSync(path.join(data, 'dev', '.standin-devices'))).toBe(false);
    expect(enroot(['list']).stdout).toBe('dev\n');
  });

  it('remove of a missing container fails, with or without --force; without --force and no answer nothing is removed [F12]', () => {
    for (const args of [['remove', 'nope'], ['remove', '-f', 'nope']]) {
      expect(enroot(args)).toEqual({ status: 1, stdout: '', stderr: `[ERROR] No such file or directory: ${data}/nope\n` });
    }
    container('t');
    expect(enroot(['remove', 't'])).toEqual({ status: 1, stdout: '', stderr: '' });
    expect(fs.existsSync(path.join(data, 't'))).toBe(true);
    expect(enroot(['remove', '--force', 't'])).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(fs.existsSync(path.join(data, 't'))).toBe(false);
  });

  it('import: the URI forms, and an image the registry does not have [F8, F9]', () => {
    expect(enroot(['import', 'ubuntu:24.04'])).toEqual({ status: 1, stdout: '', stderr: '[ERROR] Invalid argument: ubuntu:24.04\n' });
    expect(enroot(['import', 'docker://Registry.example.org#Team/Tools:1']).stderr).toBe('[ERROR] Invalid image reference: docker://Registry.example.org#Team/Tools:1\n');
    fs.writeFileSync(path.join(home, 'x.sqsh'), '');
    expect(enroot(['import', '-o', 'x.sqsh', 'docker://ubuntu']).stderr).toBe(`[ERROR] File already exists: ${home}/x.sqsh\n`);
    expect(enroot(['import', '--output', 'out.sqsh', 'docker://registry.example.org#team/missing:2'])).toEqual({
      status: 1,
      stdout: '',
      stderr: '[INFO] Querying registry for permission grant\n[ERROR] URL https://registry.example.org/v2/team/missing/manifests/2 returned error code: 404 Not Found\n',
    });
    expect(enroot(['import', '-o', 'hub.sqsh', 'docker://ubuntu']).stderr).toContain('[ERROR] URL https://registry-1.docker.io/v2/library/ubuntu/manifests/latest returned error code: 404 Not Found\n');
  });

  it('import of an image in the stand-in registry writes a tar of it [F9]', () => {
    const folder = path.join(root, 'registry', 'registry.example.org_team_tools_1');
    fs.mkdirSync(path.join(folder, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'marker'), 'registry\n');
    const r = enroot(['import', '--output', 'tools.sqsh', 'docker://registry.example.org#team/tools:1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('[INFO] Querying registry for permission grant');
    expect(spawnSync('tar', ['-tf', path.join(home, 'tools.sqsh')], { encoding: 'utf8' }).stdout.split('\n')).toContain('./marker');
    expect(fs.readFileSync(path.join(root, 'calls.log'), 'utf8')).toContain('enroot import --output tools.sqsh docker://registry.example.org#team/tools:1\n');
  });

  it.skipIf(fs.existsSync('/run/enroot'))('without XDG_RUNTIME_DIR or ENROOT_RUNTIME_PATH every command fails on /run/enroot, unless run as root [F3, F4]', () => {
    for (const args of [['version'], ['list'], ['start', 't', 'true'], ['bogus']]) {
      expect(enroot(args, { runtimePath: false, asNobody: true })).toEqual({ status: 1, stdout: '', stderr: "mkdir: cannot create directory '/run/enroot': Permission denied\n" });
    }
  });

  it.skipIf(fs.existsSync('/run/user/65534'))('a missing XDG_RUNTIME_DIR (a login node\'s, passed on by sbatch) fails the same way [F4]', () => {
    expect(enroot(['list'], { runtimePath: false, asNobody: true, env: { XDG_RUNTIME_DIR: '/run/user/65534' } })).toEqual({
      status: 1,
      stdout: '',
      stderr: "mkdir: cannot create directory '/run/user/65534': Permission denied\n",
    });
    expect(enroot(['version'], { runtimePath: false, env: { XDG_RUNTIME_DIR: runtime } })).toEqual({ status: 0, stdout: '4.1.2\n', stderr: '' });
    expect(fs.statSync(path.join(runtime, 'enroot')).mode & 0o777).toBe(0o700);
  });
});

const bwrapRuns = spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', 'true']).status === 0;

describe.skipIf(!bwrapRuns)('stand-in enroot start (bubblewrap)', () => {
  it('the command gets the image\'s environment, not the caller\'s; the root is read-only; its exit code is enroot\'s [F16, F17]', () => {
    const file = image('sh', (dir) => {
      fs.rmSync(path.join(dir, 'bin'), { recursive: true });
      for (const link of ['bin', 'sbin', 'lib', 'lib64']) fs.symlinkSync(`usr/${link}`, path.join(dir, link)); // the host's /usr, as in a merged-/usr system
      fs.mkdirSync(path.join(dir, 'usr'));
      fs.writeFileSync(path.join(dir, 'etc', 'environment'), 'FROM_IMAGE=yes\n');
    });
    expect(enroot(['create', '-n', 't', file]).status).toBe(0);
    const mounts = ['--mount', '/usr:/usr:none:x-create=dir,rbind,ro', '--mount', `${home}:${home}:none:x-create=dir,rbind`];
    const r = enroot(['start', ...mounts, 't', '/bin/sh', '-c', 'echo "image=$FROM_IMAGE caller=$CALLER term=$TERM home=$HOME"; cat /marker; touch /written || exit 7'], { env: { CALLER: 'x', TERM: 'xterm' } });
    expect(r.stdout).toBe(`image=yes caller= term=xterm home=${os.userInfo().homedir}\nfrom the image\n`);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.status).toBe(7);
    expect(enroot(['start', '--rw', ...mounts, 't', '/bin/sh', '-c', 'touch /written']).status).toBe(0);
  });

  it('x-create under a read-only bind: an existing mount point is mounted over, a missing one fails [F15]', () => {
    const file = image('sh', (dir) => {
      fs.rmSync(path.join(dir, 'bin'), { recursive: true });
      for (const link of ['bin', 'sbin', 'lib', 'lib64']) fs.symlinkSync(`usr/${link}`, path.join(dir, link));
      fs.mkdirSync(path.join(dir, 'usr'));
    });
    expect(enroot(['create', '-n', 't', file]).status).toBe(0);
    const grp = path.join(root, 'grp');
    fs.writeFileSync(grp, 'g:x:1:\n', { mode: 0o644 });
    const etc = ['--mount', '/usr:/usr:none:x-create=dir,rbind,ro', '--mount', '/etc:/etc:none:x-create=dir,rbind,ro'];
    expect(enroot(['start', ...etc, '--mount', `${grp}:/etc/group:none:x-create=file,bind,ro`, 't', '/bin/sh', '-c', 'cat /etc/group'])).toEqual({ status: 0, stdout: 'g:x:1:\n', stderr: '' });
    expect(enroot(['start', ...etc, '--mount', `${grp}:/etc/no-such-file:none:x-create=file,bind,ro`, 't', '/bin/sh', '-c', 'cat /etc/no-such-file'])).toEqual({
      status: 1,
      stdout: '',
      stderr: `enroot-mount: failed to create file: ${path.join(data, 't')}/etc/no-such-file: Read-only file system\n`,
    });
  });
});
