// Idle reclaim: a job with no SSH connection to its sshd for idle_timeout
// seconds ends itself, so a forgotten session does not hold a (GPU) allocation.
import fs from 'node:fs';

/** TCP connections in state ESTABLISHED whose local port is `port`, from /proc/net/tcp{,6}. */
export function countEstablished(port: number, tables: string[]): number {
  let count = 0;
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (!local || state !== '01') continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) count++;
    }
  }
  return count;
}

export function readTcpTables(): string[] {
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    try {
      return [fs.readFileSync(file, 'utf8')];
    } catch {
      return [];
    }
  });
}

/** The connections to the job's own sshd: its port is its alone. */
export const connectionsOnPort =
  (port: number, readTables: () => string[] = readTcpTables) =>
  (): number =>
    countEstablished(port, readTables());

export interface IdleWatchOptions {
  /** Open SSH connections (or sessions) of this job now. */
  connections: () => number;
  idleSeconds: number;
  onIdle: () => void;
  /** More activity than open connections (GPU utilisation, with idle_gpu). */
  otherActivity?: () => Promise<boolean>;
  now?: () => number;
}

/** Checks a few times per idle period; returns a function that stops the watch. */
export function watchIdle({ connections, idleSeconds, onIdle, otherActivity, now = Date.now }: IdleWatchOptions): () => void {
  let lastActive = now();
  const intervalMs = Math.min(30_000, Math.max(1_000, (idleSeconds * 1000) / 4));
  const timer = setInterval(async () => {
    if (connections() > 0 || (otherActivity && (await otherActivity().catch(() => false)))) lastActive = now();
    else if (now() - lastActive >= idleSeconds * 1000) {
      clearInterval(timer);
      onIdle();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
