// known_hosts as OpenSSH reads it: plain and hashed (|1|salt|hash) names,
// patterns with * ? and !, [host]:port for other ports, @revoked and
// @cert-authority markers. Used to check the login node's key before the
// wizard trusts it, and to write slurmhop's own known_hosts file.
import crypto from 'node:crypto';
import { hostMatches } from './effective-settings.js';
import { splitLines } from './text-file.js';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: '@revoked' | '@cert-authority' | undefined;
  names: string;
  type: string;
  key: string;
}

export type HostKeyStatus =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'changed'; entries: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

export const knownHostsName = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

export function fingerprint(keyBase64: string): string {
  return `SHA256:${crypto.createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first string inside the key blob. */
export function keyTypeOf(keyBase64: string): string {
  const blob = Buffer.from(keyBase64, 'base64');
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const line of splitLines(text)) {
    const fields = line.text.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    if (fields.length < 3) continue; // OpenSSH skips malformed lines too
    entries.push({ file, line: line.no, marker, names: fields[0]!, type: fields[1]!, key: fields[2]! });
  }
  return entries;
}

export function namesMatch(names: string, host: string): boolean {
  if (names.startsWith('|1|')) {
    const [, , salt, hash] = names.split('|');
    if (!salt || !hash) return false;
    const mac = crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(host).digest('base64');
    return mac === hash;
  }
  return hostMatches(host, names.split(','));
}

export function checkHostKey(entries: KnownHostEntry[], host: string, keyBase64: string): HostKeyStatus {
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && namesMatch(e.names, host));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key === keyBase64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const known = mine.find((e) => e.marker === undefined && e.key === keyBase64);
  if (known) return { status: 'known', entry: known };
  const others = mine.filter((e) => e.marker === undefined);
  return others.length ? { status: 'changed', entries: others } : { status: 'unknown' };
}

/** Host key algorithms for ssh2, those of already known keys first (as OpenSSH orders them). */
export function preferredHostKeyAlgorithms(entries: KnownHostEntry[], host: string): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const types = new Set(entries.filter((e) => !e.marker && namesMatch(e.names, host)).map((e) => e.type));
  const isKnown = (alg: string) => types.has(alg.startsWith('rsa-sha2-') ? 'ssh-rsa' : alg);
  return [...all.filter(isKnown), ...all.filter((a) => !isKnown(a))];
}

/**
 * slurmhop's known_hosts: the lines for `names` (exact first field) are
 * replaced by `lines`; every other line is kept as it is.
 */
export function replaceKnownHosts(text: string, names: string[], lines: string[], eol = '\n'): string {
  const drop = new Set(names);
  const kept = splitLines(text)
    .filter((l) => !drop.has(l.text.trim().split(/\s+/)[0]!))
    .map((l) => l.text);
  const all = [...kept, ...lines];
  return all.length ? `${all.join(eol)}${eol}` : '';
}
