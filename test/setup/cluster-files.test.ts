// authorized_keys on the cluster, edited by the real scripts the wizard runs
// there (here by this machine's /bin/sh, in a home of the test's own).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAuthorizedKey, lockTrouble, removeAuthorizedKey } from '../../src/setup/cluster-files.js';
import { tempDirs } from '../helpers/tmp.js';
import { localSession } from './local-session.js';

const tmp = tempDirs('slurmhop-cluster-files-');
const key = (n: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).padStart(3, '0')}${'x'.repeat(40)} user${n}@laptop`;
const SLURMHOP = key(999).replace('user999@laptop', 'slurmhop-hpc@laptop');

function homeWithKeys(keys: string[]): { home: string; file: string } {
  const home = tmp();
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  const file = path.join(home, '.ssh', 'authorized_keys');
  fs.writeFileSync(file, `${keys.join('\n')}\n`, { mode: 0o600 });
  return { home, file };
}

describe('removing the slurmhop key from authorized_keys', () => {
  it('removes only its line, keeps the others and the mode', async () => {
    const { home, file } = homeWithKeys([key(1), SLURMHOP, key(2)]);
    fs.chmodSync(file, 0o640);
    await removeAuthorizedKey(localSession(home), SLURMHOP);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key(1)}\n${key(2)}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
  });

  it('at a quota (writes fail): refuses, and authorized_keys keeps every key', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => key(i));
    const { home, file } = homeWithKeys([...keys, SLURMHOP]);
    const before = fs.readFileSync(file, 'utf8');
    expect(before.length).toBeGreaterThan(1024);
    // One 512-byte block: the new file cannot be written whole.
    await expect(removeAuthorizedKey(localSession(home, { limitBlocks: 1 }), SLURMHOP)).rejects.toThrow(/authorized_keys.*unchanged/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(home, '.ssh'))).toEqual(['authorized_keys']);
  });

  it('a symlinked authorized_keys is edited through the link, which stays a link', async () => {
    const { home, file } = homeWithKeys([]);
    const real = path.join(home, 'dotfiles-authorized_keys');
    fs.writeFileSync(real, `${key(1)}\n${SLURMHOP}\n`, { mode: 0o600 });
    fs.rmSync(file);
    fs.symlinkSync('../dotfiles-authorized_keys', file);
    await removeAuthorizedKey(localSession(home), SLURMHOP);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe(`${key(1)}\n`);
  });

  it('adding, then adding again, writes the key once', async () => {
    const { home, file } = homeWithKeys([key(1)]);
    await addAuthorizedKey(localSession(home), SLURMHOP);
    await addAuthorizedKey(localSession(home), SLURMHOP);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key(1)}\n${SLURMHOP}\n`);
  });
});

describe("whether VS Code's lock files can live in the home", () => {
  it('a home where a file can be made and flock\'ed can: nothing is left there', async () => {
    const home = tmp();
    expect(await lockTrouble(localSession(home), undefined)).toBeUndefined();
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('a directory where no file can be made cannot, and says why', async () => {
    const home = tmp();
    expect(await lockTrouble(localSession(home), path.join(home, 'missing'))).toMatch(new RegExp(`^cannot create a file in ${home}/missing: (Directory nonexistent|No such file or directory)$`));
  });
});
