// Who is waiting for a job. A proxy that gives up cancels the job it submitted
// only when no other connect (VS Code opens several) is still waiting for it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobDir } from '../paths.js';
import { processExists } from './lock.js';

/** A waiter on another login node proves it is alive by touching its file. */
const HEARTBEAT_MS = 5_000;
const ALIVE_WITHIN_MS = 30_000;

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
  fs.writeFileSync(file, '', { mode: 0o600 });
  let lastBeat = Date.now();
  return {
    heartbeat() {
      if (Date.now() - lastBeat < HEARTBEAT_MS) return;
      lastBeat = Date.now();
      const now = new Date();
      fs.utimesSync(file, now, now);
    },
    leave() {
      fs.rmSync(file, { force: true });
      return !fs.readdirSync(dir).some((name) => name !== mine && isAlive(dir, name, host));
    },
  };
}

function isAlive(dir: string, name: string, host: string): boolean {
  const [waiterHost, pid] = name.split('--');
  if (waiterHost === host) return processExists(Number(pid));
  try {
    return Date.now() - fs.statSync(path.join(dir, name)).mtimeMs < ALIVE_WITHIN_MS;
  } catch {
    return false;
  }
}
