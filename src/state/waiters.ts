// Who is waiting for a job. A proxy that gives up cancels the job it submitted
// only when no other connect (VS Code opens several) is still waiting for it.
// A waiter on another login node proves it is alive by rewriting its file:
// the file server stamps the time, and that stamp is compared with the stamp
// of a file written just now, never with this host's clock (login nodes'
// clocks differ).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobDir } from '../paths.js';
import { processExists } from './lock.js';

const HEARTBEAT_MS = 3_000;
const ALIVE_WITHIN_MS = 15_000;

export interface Waiter {
  heartbeat(): void;
  /** Stop waiting; true when no other live waiter remains. */
  leave(): boolean;
}

export function joinWaiters(state: string, jobId: string): Waiter {
  const dir = path.join(jobDir(state, jobId), 'waiters');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const host = os.hostname();
  const mine = `${host}--${process.pid}`;
  const file = path.join(dir, mine);
  let beats = 0;
  const beat = () => fs.writeFileSync(file, `${beats++}\n`, { mode: 0o600 });
  beat();
  let lastBeat = Date.now();
  return {
    heartbeat() {
      if (Date.now() - lastBeat < HEARTBEAT_MS) return;
      lastBeat = Date.now();
      beat();
    },
    leave() {
      beat(); // the file server's "now", to compare the others' stamps with
      const now = fs.statSync(file).mtimeMs;
      fs.rmSync(file, { force: true });
      return !fs.readdirSync(dir).some((name) => name !== mine && isAlive(dir, name, host, now));
    },
  };
}

function isAlive(dir: string, name: string, host: string, now: number): boolean {
  const [waiterHost, pid] = name.split('--');
  if (waiterHost === host) return processExists(Number(pid));
  try {
    return now - fs.statSync(path.join(dir, name)).mtimeMs < ALIVE_WITHIN_MS;
  } catch {
    return false;
  }
}
