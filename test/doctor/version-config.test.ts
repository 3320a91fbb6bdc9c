import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, checkVersion } from '../../src/doctor/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-vc-');

describe('doctor: version and architecture', () => {
  it('Linux x86_64 with glibc, ~/.local/bin/remote in place: ok', () => {
    expect(checkVersion(fakeHome(tmp()))).toEqual({ name: 'version', status: 'ok', summary: 'slurmhop 0.1.0 (built-in copy), linux x86_64, glibc 2.36' });
    expect(checkVersion({ ...fakeHome(tmp()), arch: 'arm64' }).summary).toBe('slurmhop 0.1.0 (built-in copy), linux aarch64, glibc 2.36');
  });

  it('an old glibc or another architecture fails, with what to do; no glibc warns', () => {
    const old = checkVersion({ ...fakeHome(tmp()), glibc: () => '2.17' });
    expect(old).toMatchObject({ status: 'fail', summary: 'slurmhop 0.1.0 (built-in copy), linux x86_64, glibc 2.17: glibc 2.17 is older than 2.28' });
    expect(old.fix).toContain('newer distribution');
    expect(checkVersion({ ...fakeHome(tmp()), arch: 'ia32' })).toMatchObject({ status: 'fail', fix: 'use a login node with x86_64 or aarch64' });
    expect(checkVersion({ ...fakeHome(tmp()), glibc: () => undefined })).toMatchObject({ status: 'warn' });
    expect(checkVersion({ ...fakeHome(tmp()), glibc: () => '2.28' }).status).toBe('ok');
  });

  it('~/.local/bin/remote missing: a warning (the ProxyCommand runs it)', () => {
    const deps = fakeHome(tmp());
    fs.rmSync(path.join(deps.home, '.local', 'bin', 'remote'));
    const r = checkVersion(deps);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('.local/bin/remote is missing or not executable');
  });

  it('the installed release that runs is named', () => {
    const deps = fakeHome(tmp());
    const r = checkVersion({ ...deps, version: '0.2.0', running: { ...deps.running, version: '0.2.0', source: 'installed', dir: '/s/update/versions/0.2.0' } });
    expect(r.summary).toBe('slurmhop 0.2.0 (installed release in /s/update/versions/0.2.0), linux x86_64, glibc 2.36');
  });
});

describe('doctor: config.ini', () => {
  const write = (deps: { configFile: string }, text: string) => {
    fs.mkdirSync(path.dirname(deps.configFile), { recursive: true });
    fs.writeFileSync(deps.configFile, text);
  };

  it('no file: ok, with the built-in profiles', () => {
    const deps = fakeHome(tmp());
    const { result, config } = checkConfig(deps);
    expect(result).toMatchObject({ status: 'ok', summary: `${deps.configFile} does not exist: the built-in profiles cpu, gpu` });
    expect(config?.exists).toBe(false);
  });

  it('a valid file: ok, with its profiles', () => {
    const deps = fakeHome(tmp());
    write(deps, '[profile.cpu]\npartition = interactive\n\n[profile.big]\nmem = 64G\n');
    expect(checkConfig(deps).result).toMatchObject({ status: 'ok', summary: `${deps.configFile}: profiles cpu, big` });
  });

  it('a broken line: fails with file:line and the fix', () => {
    const deps = fakeHome(tmp());
    write(deps, '[profile.cpu]\npartition = interactive\nthis is not ini\n');
    const { result, config } = checkConfig(deps);
    expect(config).toBeUndefined();
    expect(result).toEqual({
      name: 'config',
      status: 'fail',
      summary: `${deps.configFile}:3: cannot read this line: "this is not ini"`,
      fix: `expected "[section]", "key = value" or a comment starting with # (in ${deps.configFile}); nothing is submitted until it loads`,
    });
  });

  it('a bad value: fails with its line', () => {
    const deps = fakeHome(tmp());
    write(deps, '[profile.cpu]\n\npartition = interactive\nidle_timeout = soon\n');
    const { result } = checkConfig(deps);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(new RegExp(`^${deps.configFile}:4: `));
    expect(result.fix).toBeTruthy();
  });
});
