// Which VS Code server versions the user's processes on this node run from,
// recorded in the job's directory while the job runs: `remote cleanup` on
// the login node cannot see this node's processes, and keeps every version a
// running job names (doctor/cleanup.ts). A version is its commit, found in a
// process's executable, working directory or command line, as the login
// node's own check finds it. The record only grows: a server that stopped
// may be started again by the next connect to this job.
import { writeFileAtomic } from '../fsutil.js';
import { ownProcesses, type ProcessInfo } from '../processes.js';

const COMMIT = /(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])/g;
const SCAN_INTERVAL_MS = 30_000;
/** Enough for every server a job may run; a command line full of hashes cannot grow the record without end. */
const MAX_COMMITS = 64;

export interface ServerRecord {
  commits: string[];
  /** When the record last changed (ISO). */
  at: string;
}

export function commitsIn(processes: ProcessInfo[]): string[] {
  const found = new Set<string>();
  for (const p of processes) for (const s of [p.exe, p.cwd, p.cmdline]) for (const m of s?.matchAll(COMMIT) ?? []) found.add(m[0]);
  return [...found];
}

/** Writes the record at once (empty: "this job runs none") and again whenever a new version shows up; returns the stop. */
export function recordVscodeServers(file: string, uid: number | undefined, scan: () => ProcessInfo[] = () => ownProcesses(uid), intervalMs = SCAN_INTERVAL_MS): () => void {
  const seen = new Set<string>();
  const update = (first: boolean) => {
    const before = seen.size;
    for (const c of commitsIn(scan())) if (seen.size < MAX_COMMITS) seen.add(c);
    if (!first && seen.size === before) return;
    try {
      writeFileAtomic(file, `${JSON.stringify({ commits: [...seen].sort(), at: new Date().toISOString() } satisfies ServerRecord)}\n`);
    } catch {
      // a full home: cleanup then finds no record and keeps every version
    }
  };
  update(true);
  const timer = setInterval(() => update(false), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
