// The key for the login node and the sessions: ~/.ssh/slurmhop_<cluster>_ed25519
// (created once, 0600, in a 0700 ~/.ssh), or the one given with --identity.
import fs from 'node:fs';
import os from 'node:os';
import ssh2 from 'ssh2';
import type { Asker } from './ask.js';
import { setupError } from './errors.js';

export interface KeyPair {
  file: string;
  publicKey: string;
  /** Content to write when the key is new (not when it exists or was given). */
  create?: { private: string; public: string } | undefined;
}

export function newKeyPair(file: string, cluster: string): KeyPair {
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'laptop';
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: `slurmhop-${cluster}@${host}` });
  return { file, publicKey: pair.public.trim(), create: { private: pair.private, public: `${pair.public.trim()}\n` } };
}

/** The public half of an existing private key: from FILE.pub, else derived (asking for a passphrase if needed). */
export async function existingKeyPair(file: string, ask: Asker): Promise<KeyPair> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw setupError('local-file', `cannot read the key ${file}: ${(err as Error).message}`, 'give an existing private key with --identity');
  }
  const pub = readPub(`${file}.pub`);
  if (pub) return { file, publicKey: pub };
  let parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message) && ask.interactive) {
    parsed = ssh2.utils.parseKey(data, await ask.secret(`Passphrase for ${file}:`));
  }
  if (parsed instanceof Error) throw setupError('local-file', `${file} is not a private key ssh can use: ${parsed.message}`, 'give an OpenSSH private key with --identity (its .pub next to it helps)');
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { file, publicKey: `${key.type} ${key.getPublicSSH().toString('base64')}` };
}

function readPub(file: string): string | undefined {
  try {
    const line = fs.readFileSync(file, 'utf8').trim().split('\n')[0]!.trim();
    return /^[a-z0-9@.-]+ [A-Za-z0-9+/=]+/.test(line) ? line : undefined;
  } catch {
    return undefined;
  }
}
