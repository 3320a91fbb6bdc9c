import { describe, expect, it } from 'vitest';
import { enrootReference, parseImage } from '../../../src/config/container-image.js';
import { parseProbe, PROBE_SCRIPT } from '../../../src/job/container/probe.js';
import { containerImageProblem, enrootHomeProblem } from '../../../src/config/index.js';
import { tempDirs } from '../../helpers/tmp.js';
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';

const tmp = tempDirs('slurmhop-probe-');

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('no error');
}

describe('the probe script (run by the real /bin/sh here)', () => {
  it('finds the sshd and the environment', async () => {
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', '', '/nonexistent-key'], { env: { PATH: '/usr/bin:/bin', FOO: 'bar' }, extendEnv: false });
    const result = parseProbe({ stdout: r.stdout, exitCode: r.exitCode ?? 1, stderr: r.stderr }, { image: 'img', describe: 'a container' });
    expect(result.sshd).toBe('/usr/sbin/sshd');
    expect(result.env).toMatchObject({ FOO: 'bar', PATH: '/usr/bin:/bin' });
  });

  it('a tty group the user namespace maps: nothing to change (here, the whole gid range is mapped)', async () => {
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', '', '/nonexistent-key']);
    expect(parseProbe({ stdout: r.stdout, exitCode: r.exitCode ?? 1, stderr: r.stderr }, { image: 'img', describe: 'a container' }).groupWithoutTty).toBeUndefined();
  });

  it('a tty group whose gid the user namespace does not map (unprivileged Apptainer, seen on sid): the group file without it, for sshd', async () => {
    // What the script printed inside Apptainer 1.4.5 (gid_map "1014 1014 1": the user's group alone).
    const stdout = 'slurmhop-probe sshd /usr/sbin/sshd\nslurmhop-probe penalties\nslurmhop-probe tty-unmapped\nslurmhop-probe group\nroot:x:0:\ntty:x:5:\nmia:x:1014:\nslurmhop-probe env\nPATH=/usr/bin:/bin\n';
    const result = parseProbe({ stdout, exitCode: 0, stderr: '' }, { image: 'img', describe: 'a container' });
    expect(result.groupWithoutTty).toBe('root:x:0:\nmia:x:1014:\n');
    expect(result.env).toEqual({ PATH: '/usr/bin:/bin' });
  });

  it('an sshd that is not there is named, with what to add', async () => {
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', '/opt/none/sshd', '/k'], { reject: false });
    expect(() => parseProbe({ stdout: r.stdout, exitCode: r.exitCode ?? 1, stderr: r.stderr }, { image: 'img', sshd: '/opt/none/sshd', describe: 'a container' })).toThrow('container image img has no sshd at /opt/none/sshd');
  });

  it('a runtime failure and a missing /bin/sh read differently', () => {
    const opts = { image: 'foo', describe: 'podman image foo' };
    expect(() => parseProbe({ stdout: '', exitCode: 125, stderr: 'Error: short-name "foo" did not resolve' }, opts)).toThrow('starting podman image foo (image foo) failed: Error: short-name "foo" did not resolve');
    expect(() => parseProbe({ stdout: '', exitCode: 127, stderr: 'exec container process `/bin/sh`: No such file or directory' }, opts)).toThrow('has no /bin/sh');
  });

  it('a runtime that refuses its arguments is not blamed on the image: its own words, and why', () => {
    const refused = { stdout: '', exitCode: 1, stderr: '[ERROR] Invalid argument: /home/eve /home/eve none x-create=dir,rbind' };
    const err = catchError(() => parseProbe(refused, { image: 'docker://x', describe: 'enroot container slurmhop-fcb4c26d81ff' }));
    expect(err.message).toBe("starting enroot container slurmhop-fcb4c26d81ff (image docker://x) failed: [ERROR] Invalid argument: /home/eve /home/eve none x-create=dir,rbind (the runtime refused slurmhop's command line)");
    expect(err.message).not.toContain('could not be started');
  });
});

describe('images', () => {
  it('tells references, files and directories apart', () => {
    expect(parseImage('docker://ubuntu:24.04', '/home/a')).toEqual({ kind: 'registry', ref: 'ubuntu:24.04' });
    expect(parseImage('~/img/x.sqsh', '/home/a')).toEqual({ kind: 'sqsh', path: '/home/a/img/x.sqsh' });
    expect(parseImage('/shared/x.sif', '/home/a')).toEqual({ kind: 'sif', path: '/shared/x.sif' });
    expect(parseImage('/shared/rootfs', '/home/a')).toEqual({ kind: 'directory', path: '/shared/rootfs' });
    expect(parseImage('localhost/tools:1', '/home/a')).toEqual({ kind: 'name', ref: 'localhost/tools:1' });
  });

  it('enroot spells the registry host with #', () => {
    expect(enrootReference('nvcr.io/nvidia/pytorch:24.01-py3')).toBe('docker://nvcr.io#nvidia/pytorch:24.01-py3');
    expect(enrootReference('ubuntu:24.04')).toBe('docker://ubuntu:24.04');
    expect(enrootReference('library/ubuntu')).toBe('docker://library/ubuntu');
  });

  it('the login node reports an image file that is not there, before submitting', () => {
    const home = tmp();
    fs.writeFileSync(path.join(home, 'ok.sqsh'), 'x');
    const profile = (container: string) => ({ name: 'p', container, containerRuntime: 'auto' });
    expect(containerImageProblem(profile('~/ok.sqsh'), home)).toBeUndefined();
    expect(containerImageProblem(profile('~/gone.sqsh'), home)).toBe(`${home}/gone.sqsh does not exist`);
    fs.writeFileSync(path.join(home, 'rootfs'), 'a file, not a directory');
    expect(containerImageProblem(profile('~/rootfs'), home)).toBe(`${home}/rootfs is not a directory`);
    expect(containerImageProblem(profile('docker://anything'), home)).toBeUndefined();
    expect(containerImageProblem({ ...profile('~/gone.sqsh'), containerRuntime: 'none' }, home)).toBeUndefined();
  });

  it('the login node refuses a home directory that enroot cannot mount, for a profile only enroot can run', () => {
    const home = '/home/research group/eve';
    expect(enrootHomeProblem({ container: '~/img.sqsh', containerRuntime: 'auto' }, home)).toBe(
      "your home directory /home/research group/eve contains whitespace, which enroot's --mount cannot carry (the home directory is always mounted)",
    );
    expect(enrootHomeProblem({ container: 'docker://ubuntu', containerRuntime: 'enroot' }, '/home/a:b')).toContain('contains ":"');
    // Another runtime may run these on the node: it is checked there.
    expect(enrootHomeProblem({ container: 'docker://ubuntu', containerRuntime: 'auto' }, home)).toBeUndefined();
    expect(enrootHomeProblem({ container: '/x.sif', containerRuntime: 'auto' }, home)).toBeUndefined();
  });
});

describe('XDG_RUNTIME_DIR passed from the login node', () => {
  it('is dropped when it does not exist on the node, kept when it does', async () => {
    const { dropMissingRuntimeDir } = await import('../../../src/job/container/runtime.js');
    const said: string[] = [];
    const missing: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: '/run/user/4242-not-here' };
    dropMissingRuntimeDir(missing, (m) => said.push(m));
    expect(missing.XDG_RUNTIME_DIR).toBeUndefined();
    expect(said).toEqual(['XDG_RUNTIME_DIR /run/user/4242-not-here does not exist on this node: the container runtime uses its own runtime directory']);
    const present: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: tmp() };
    dropMissingRuntimeDir(present, () => {});
    expect(present.XDG_RUNTIME_DIR).toBeDefined();
  });
});
