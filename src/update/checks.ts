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
}

export function readChecks(paths: UpdatePaths): ChecksState {
  try {
    const raw = JSON.parse(fs.readFileSync(paths.checks, 'utf8')) as ChecksState;
    return {
      ...(typeof raw.startedAt === 'number' ? { startedAt: raw.startedAt } : {}),
      ...(typeof raw.finishedAt === 'number' ? { finishedAt: raw.finishedAt } : {}),
      ...(typeof raw.result === 'string' ? { result: raw.result } : {}),
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
