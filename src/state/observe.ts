// Whether a lock's holder still lives, judged the one way that survives clock
// skew between login nodes and cached file times: by watching its touch
// change, timed by this host's own clock. A waiting process keeps what it saw
// in memory; a process that never waits (the updater) keeps it in a file per
// observing host, `<lock>.seen-<host>`, and judges over several runs.
import fs from 'node:fs';
import os from 'node:os';
import { writeFileAtomic } from '../fsutil.js';
import type { Seen } from './lock-record.js';

export interface Observation {
  identity: string;
  touchedMs: number;
  /** When this host first saw that touch, by its own clock. */
  since: number;
}

export interface Observations {
  get(lock: string): Observation | undefined;
  set(lock: string, observation: Observation): void;
  forget(lock: string): void;
  now(): number;
}

export function memoryObservations(now: () => number = Date.now): Observations {
  const seen = new Map<string, Observation>();
  return { get: (lock) => seen.get(lock), set: (lock, o) => void seen.set(lock, o), forget: (lock) => void seen.delete(lock), now };
}

export function fileObservations(host: string = os.hostname(), now: () => number = Date.now): Observations {
  const file = (lock: string) => `${lock}.seen-${host}`;
  return {
    get(lock) {
      try {
        const o = JSON.parse(fs.readFileSync(file(lock), 'utf8')) as Observation;
        return typeof o.identity === 'string' && typeof o.touchedMs === 'number' && typeof o.since === 'number' ? o : undefined;
      } catch {
        return undefined;
      }
    },
    set(lock, o) {
      try {
        writeFileAtomic(file(lock), `${JSON.stringify(o)}\n`);
      } catch {
        // an observation that cannot be kept is made again next time
      }
    },
    forget: (lock) => fs.rmSync(file(lock), { force: true }),
    now,
  };
}

/** True once the same holding, with the same touch, has been seen for `staleAfterMs`. */
export function observedStale(observations: Observations, lock: string, seen: Seen, staleAfterMs: number): boolean {
  const last = observations.get(lock);
  const now = observations.now();
  if (!last || last.identity !== seen.identity || last.touchedMs !== seen.touchedMs) {
    observations.set(lock, { identity: seen.identity, touchedMs: seen.touchedMs, since: now });
    return false;
  }
  return now - last.since >= staleAfterMs;
}
