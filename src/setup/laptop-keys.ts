// What the laptop already has for a login node: the private keys in ~/.ssh,
// and what the user's own ssh config says for the host (an alias, the user
// name, the key, the port), so that the wizard starts from what already works.
import fs from 'node:fs';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import ssh2 from 'ssh2';
import { findBlocks } from './managed-block.js';
import { readText } from './local-files.js';
import { defaultSshConfig, sshDir, type Laptop } from './laptop-paths.js';

export interface LaptopKey {
  file: string;
  /** ssh-ed25519, ssh-rsa, ...; undefined when the key has a passphrase and no .pub beside it. */
  type: string | undefined;
  comment: string;
  encrypted: boolean;
}

const NOT_KEYS = /^(config|known_hosts2?|authorized_keys2?|environment|rc)$|\.pub$|slurmhop_known_hosts|\.slurmhop-backup-|\.tmp$/;

/** The private keys in ~/.ssh (files that hold one), by name. */
export function laptopKeys(l: Laptop): LaptopKey[] {
  const dir = sshDir(l);
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  const keys: LaptopKey[] = [];
  for (const name of names.filter((n) => !NOT_KEYS.test(n))) {
    const file = path.join(dir, name);
    let text: string;
    try {
      if (!fs.statSync(file).isFile() || fs.statSync(file).size > 64 * 1024) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----/m.test(text)) continue;
    const parsed = ssh2.utils.parseKey(text);
    const pub = publicLine(`${file}.pub`);
    const encrypted = parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message);
    if (parsed instanceof Error && !encrypted) continue;
    const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
    keys.push({ file, type: key?.type ?? pub?.split(' ')[0], comment: key?.comment || pub?.split(' ').slice(2).join(' ') || '', encrypted });
  }
  return keys;
}

function publicLine(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

export interface UserHostEntry {
  /** The user's own alias for the login node (`Host hpc` with `HostName login.hpc.org`). */
  alias?: string | undefined;
  user?: string | undefined;
  port?: number | undefined;
  identityFiles: string[];
}

/**
 * What ~/.ssh/config (outside slurmhop's blocks) sets for `host`: as OpenSSH
 * computes it for the host name itself, or for the alias whose HostName it is.
 */
export function userHostEntry(l: Laptop, host: string): UserHostEntry {
  const file = defaultSshConfig(l);
  let text: string | undefined;
  try {
    text = readText(file);
  } catch {
    return { identityFiles: [] };
  }
  if (text === undefined) return { identityFiles: [] };
  let config: SSHConfig;
  try {
    for (const span of [...findBlocks(text, file).values()].reverse()) text = text.slice(0, span.start) + text.slice(span.end);
    config = SSHConfig.parse(text);
  } catch {
    return { identityFiles: [] };
  }
  const alias = aliasFor(config, host);
  const computed = config.compute(alias ?? host);
  const one = (k: string) => {
    const v = computed[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const files = computed.IdentityFile;
  const home = (f: string) => (f.startsWith('~/') ? path.join(l.home, f.slice(2)) : f);
  const port = Number(one('Port'));
  return {
    alias,
    user: one('User'),
    port: port > 0 && port < 65536 ? port : undefined,
    identityFiles: (Array.isArray(files) ? files : files ? [files] : []).map(home),
  };
}

function aliasFor(config: SSHConfig, host: string): string | undefined {
  for (const line of config) {
    if (!('config' in line) || !('param' in line) || line.param.toLowerCase() !== 'host' || typeof line.value !== 'string') continue;
    const names = line.value.split(/\s+/).filter((n) => !/[*?!]/.test(n));
    const hostName = (line.config as SSHConfig).find((d) => 'param' in d && d.param.toLowerCase() === 'hostname');
    if (names.length && hostName && 'value' in hostName && String(hostName.value).toLowerCase() === host.toLowerCase()) return names[0];
  }
  return undefined;
}
