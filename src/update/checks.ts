// checks.json: when a background check was last started and how the last
// check ended. The daily limit counts started checks, failed ones included,
// so an unreachable repository is not retried on every connection.
import fs from 'node:fs';
import { writeFileAtomic } from '../fsutil.js';
import type { UpdatePaths } from './paths.js';

export interface ChecksState {
  /** When `remote proxy` last started a background check (ms since the epoch). */
  startedAt?: number;
  /** When a check last finished, and how. */
  finishedAt?: number;
  result?: string;
  /** What config.ini said about automatic checks, and which state of the file (so it is read again only when it changes). */
  seen?: SeenSettings;
}

export interface SeenSettings {
  /** config.ini's identity when it was read: mtime and ctime (ms), size, inode; -1 for a missing file. */
  configMtimeMs: number;
  configCtimeMs: number;
  configSize: number;
  configIno: number;
  autoUpdate: boolean;
  hasRepository: boolean;
  checkInterval: number;
}

function readSeen(raw: unknown): SeenSettings | undefined {
  const s = raw as Partial<SeenSettings> | undefined;
  if (!s || typeof s !== 'object') return undefined;
  const ok = ['configMtimeMs', 'configCtimeMs', 'configSize', 'configIno', 'checkInterval'].every((k) => typeof s[k as keyof SeenSettings] === 'number') && typeof s.autoUpdate === 'boolean' && typeof s.hasRepository === 'boolean';
  return ok ? (s as SeenSettings) : undefined;
}

export function readChecks(paths: UpdatePaths): ChecksState {
  try {
    const raw = JSON.parse(fs.readFileSync(paths.checks, 'utf8')) as ChecksState;
    const seen = readSeen(raw.seen);
    return {
      ...(typeof raw.startedAt === 'number' ? { startedAt: raw.startedAt } : {}),
      ...(typeof raw.finishedAt === 'number' ? { finishedAt: raw.finishedAt } : {}),
      ...(typeof raw.result === 'string' ? { result: raw.result } : {}),
      ...(seen ? { seen } : {}),
    };
  } catch {
    return {};
  }
}

export function writeChecks(paths: UpdatePaths, state: ChecksState): void {
  writeFileAtomic(paths.checks, `${JSON.stringify(state)}\n`);
}

/** Whether a check started or finished less than `intervalSeconds` ago. */
export function checkedRecently(state: ChecksState, now: number, intervalSeconds: number): boolean {
  const last = Math.max(state.startedAt ?? 0, state.finishedAt ?? 0);
  return last <= now && now - last < intervalSeconds * 1000;
}
