import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { SlurmhopError } from '../../src/errors.js';
import { gitSource } from '../../src/update/repository.js';
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

  it('refuses a password or token in the repository URL, without repeating the secret, and points to a credential helper', () => {
    for (const [url, shown] of [
      ['https://alice:s3cret-token@git.example.org/hpc/slurmhop.git', 'https://alice:***@git.example.org/hpc/slurmhop.git'],
      ['https://oauth2:glpat-abcdef@gitlab.example.org/x.git', 'https://oauth2:***@gitlab.example.org/x.git'],
      ['https://ghp_0123456789abcdefABCDEF0123456789abcd@github.com/o/r.git', 'https://***@github.com/o/r.git'],
      ['ssh://git:pw@host:2222/x.git', 'ssh://git:***@host:2222/x.git'],
      ['https://alice:@git.example.org/x.git', 'https://alice:***@git.example.org/x.git'],
    ]) {
      const err = errorOf(`[update]\nauto_update = yes\nrepository = ${url}\n`);
      expect(err.message.endsWith(`config.ini:3: repository "${shown}" carries a password or token: git would get it on its command line, where every user of this login node can read it`)).toBe(true);
      expect(err.message).not.toMatch(/s3cret|glpat-abcdef|ghp_0123|:pw@/);
      expect(err.hint).toMatch(/credential helper.*git config --global credential\.helper/);
    }
    // A user name alone is no secret (a credential helper or ssh supplies the rest); nor is an @ in the path.
    for (const repo of ['https://alice@git.example.org/x.git', 'ssh://git@host/x.git', 'https://git.example.org/a@b/x.git', 'git@git.example.org:hpc/slurmhop.git']) {
      expect(load(`[update]\nrepository = ${repo}\n`).update.repository).toBe(repo);
    }
  });

  it('the updater refuses such a URL too, before git runs', () => {
    expect(() => gitSource('https://alice:tok@git.example.org/x.git', { env: {}, timeoutMs: 1000 })).toThrow(/"https:\/\/alice:\*\*\*@git\.example\.org\/x\.git" carries a password or token/);
  });
});
