import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { SlurmhopError } from '../../src/errors.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-settings-');

function load(text: string) {
  const file = path.join(tmp(), 'config.ini');
  fs.writeFileSync(file, text);
  return loadConfig(file);
}

function errorOf(text: string): SlurmhopError {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SlurmhopError);
    expect((err as SlurmhopError).kind).toBe('config');
    return err as SlurmhopError;
  }
  throw new Error('expected a config error');
}

describe('the [update] section of config.ini', () => {
  it('defaults: daily automatic checks, no repository; profiles are unaffected', () => {
    const config = load('[profile.cpu]\npartition = p\n');
    expect(config.update).toEqual({ autoUpdate: true, checkInterval: 86_400 });
    expect([...config.profiles.keys()]).toEqual(['cpu']);
    expect(loadConfig(path.join(tmp(), 'missing.ini')).update).toEqual({ autoUpdate: true, checkInterval: 86_400 });
  });

  it('reads repository, auto_update and check_interval', () => {
    const config = load('[update]\nrepository = file:///srv/slurmhop.git\nauto_update = no\ncheck_interval = 12h\n\n[profile.cpu]\n');
    expect(config.update).toEqual({ repository: 'file:///srv/slurmhop.git', autoUpdate: false, checkInterval: 43_200 });
    expect([...config.profiles.keys()]).toEqual(['cpu']);
    for (const repo of ['/srv/slurmhop.git', 'https://git.example.org/slurmhop.git', 'git@git.example.org:hpc/slurmhop.git', 'ssh://git@host:2222/x.git']) {
      expect(load(`[update]\nrepository = ${repo}\n`).update.repository).toBe(repo);
    }
    expect(load('[update]\ncheck_interval = 2d\n').update.checkInterval).toBe(172_800);
  });

  it('names the line of a mistake', () => {
    expect(errorOf('[update]\nrepository = --upload-pack=evil\n').message).toMatch(/config\.ini:2: repository "--upload-pack=evil" is not a git URL/);
    expect(errorOf('[update]\nrepository = relative/path\n').message).toMatch(/:2: repository/);
    expect(errorOf('[update]\n\nauto_update = maybe\n').message).toMatch(/:3: auto_update must be true or false/);
    expect(errorOf('[update]\ncheck_interval = 10\n').message).toMatch(/:2: check_interval must be at least 60 seconds/);
    const unknown = errorOf('[update]\nrepo = x\n');
    expect(unknown.message).toMatch(/:2: unknown key "repo" in \[update\]/);
    expect(unknown.hint).toContain('repository, auto_update, check_interval');
    expect(errorOf('[updates]\n').hint).toContain('[update]');
  });
});
