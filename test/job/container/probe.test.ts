import { describe, expect, it } from 'vitest';
import { enrootReference, parseImage } from '../../../src/config/container-image.js';
import { parseProbe, PROBE_SCRIPT } from '../../../src/job/container/probe.js';
import { containerImageProblem } from '../../../src/config/index.js';
import { tempDirs } from '../../helpers/tmp.js';
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';

const tmp = tempDirs('slurmhop-probe-');

describe('the probe script (run by the real /bin/sh here)', () => {
  it('finds the sshd and the environment', async () => {
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', '', '/nonexistent-key'], { env: { PATH: '/usr/bin:/bin', FOO: 'bar' }, extendEnv: false });
    const result = parseProbe(r.stdout, r.exitCode ?? 1, r.stderr, { image: 'img' });
    expect(result.sshd).toBe('/usr/sbin/sshd');
    expect(result.env).toMatchObject({ FOO: 'bar', PATH: '/usr/bin:/bin' });
  });

  it('an sshd that is not there is named, with what to add', async () => {
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', '/opt/none/sshd', '/k'], { reject: false });
    expect(() => parseProbe(r.stdout, r.exitCode ?? 1, r.stderr, { image: 'img', sshd: '/opt/none/sshd' })).toThrow('container image img has no sshd at /opt/none/sshd');
  });

  it('a runtime failure and a missing /bin/sh read differently', () => {
    expect(() => parseProbe('', 125, 'Error: short-name "foo" did not resolve', { image: 'foo' })).toThrow('container image foo could not be started: Error: short-name "foo" did not resolve');
    expect(() => parseProbe('', 127, 'exec container process `/bin/sh`: No such file or directory', { image: 'foo' })).toThrow('has no /bin/sh');
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
