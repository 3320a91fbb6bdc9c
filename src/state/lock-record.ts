// What a lock file says: who holds it, and when the holder last touched it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { withOpenFile } from '../fsutil.js';

export interface Holder {
  host: string;
  pid: number;
  nonce: string;
  since: string;
}

export interface Seen {
  holder: Holder | undefined;
  /** What tells this holding apart from any other: the nonce, or what is left of a record that cannot be read. */
  identity: string;
  /** The holder's last touch, as the file server reports it. */
  touchedMs: number;
}

/** open + fstat: NFS revalidates attributes on open, so the touch is current, not cached. */
export function readLock(file: string): Seen | undefined {
  return withOpenFile(file, (fd) => {
    const touchedMs = fs.fstatSync(fd).mtimeMs;
    const text = fs.readFileSync(fd, 'utf8');
    const holder = parseHolder(text);
    const identity = holder?.nonce ?? `unreadable-${crypto.createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    return { holder, identity, touchedMs };
  });
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return undefined;
    // Records of older versions had no nonce: host and pid identify them.
    return { host: h.host, pid: h.pid, nonce: h.nonce ?? `${h.host}-${h.pid}`, since: h.since ?? 'an unknown time' };
  } catch {
    return undefined;
  }
}
