// What the wizard finds on the laptop before it asks: the private keys in
// ~/.ssh, what the user's own ssh config says for the login node, and how a
// refused login is told.
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../src/setup/connect.js';
import { laptopKeys, userHostEntry } from '../../src/setup/laptop-keys.js';
import type { Laptop } from '../../src/setup/laptop-paths.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-laptop-keys-');

function laptop(files: Record<string, string>): Laptop {
  const home = tmp();
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(home, '.ssh', name), text, { mode: 0o600 });
  return { platform: 'linux', home, env: {} };
}

const pair = (comment: string, passphrase?: string) => ssh2.utils.generateKeyPairSync('ed25519', { comment, ...(passphrase ? { passphrase, cipher: 'aes256-ctr' } : {}) });

describe('the private keys in ~/.ssh', () => {
  it('are found by content, whatever their names; public keys, configs and known_hosts are not keys', () => {
    const bob = pair('bob@laptop');
    const locked = pair('work', 'secret');
    const l = laptop({
      id_bob: bob.private,
      'id_bob.pub': bob.public,
      work_key: locked.private,
      'work_key.pub': `${locked.public.trim()}\n`,
      config: 'Host x\n',
      known_hosts: 'x ssh-ed25519 AAAA\n',
      notes: 'not a key\n',
    });
    expect(laptopKeys(l)).toEqual([
      { file: path.join(l.home, '.ssh', 'id_bob'), type: 'ssh-ed25519', comment: 'bob@laptop', encrypted: false },
      { file: path.join(l.home, '.ssh', 'work_key'), type: 'ssh-ed25519', comment: 'work', encrypted: true },
    ]);
  });

  it('none without a ~/.ssh', () => {
    expect(laptopKeys({ platform: 'linux', home: tmp(), env: {} })).toEqual([]);
  });
});

describe("the user's own ssh config for the login node", () => {
  it('an alias whose HostName it is gives the user, port and key; slurmhop blocks do not count', () => {
    const l = laptop({
      config: [
        '# >>> slurmhop old >>>',
        'Host old',
        '  HostName login.hpc.example.org',
        '  User wrong',
        '# <<< slurmhop old <<<',
        'Host hpc',
        '  HostName login.hpc.example.org',
        '  User bob42',
        '  Port 2200',
        '  IdentityFile ~/.ssh/id_hpc',
        '',
      ].join('\n'),
    });
    expect(userHostEntry(l, 'login.hpc.example.org')).toEqual({ alias: 'hpc', user: 'bob42', port: 2200, identityFiles: [path.join(l.home, '.ssh/id_hpc')] });
  });

  it('a Host pattern that matches the name itself counts; nothing set gives nothing', () => {
    const l = laptop({ config: 'Host *.example.org\n  User ana\n' });
    expect(userHostEntry(l, 'login.example.org')).toMatchObject({ alias: undefined, user: 'ana', identityFiles: [] });
    expect(userHostEntry(l, 'other.net')).toEqual({ alias: undefined, user: undefined, port: undefined, identityFiles: [] });
  });
});

describe('a refused login, in words', () => {
  it('what was refused, what the server accepts, what could not be offered', () => {
    expect(refusal({ allowed: ['publickey', 'password'], refused: ['the key ~/.ssh/id_ed25519', "the agent's keys", 'a password'], skipped: ['~/.ssh/id_rsa (it has a passphrase, and there is no terminal to ask it)'] })).toBe(
      "it refused the key ~/.ssh/id_ed25519, the agent's keys and a password (it accepts: publickey, password); not offered: ~/.ssh/id_rsa (it has a passphrase, and there is no terminal to ask it)",
    );
    expect(refusal({ allowed: ['publickey'], refused: [], skipped: [] })).toBe('nothing could be offered: no key was found (it accepts: publickey)');
  });
});
