// A session that takes more memory than the job was given is killed by the
// kernel: where Slurm constrains memory with cgroups (ConstrainRAMSpace), the
// job's memory cgroup has the limit and counts the kills. The job watches that
// count, so the user is told why their program vanished (in the session's
// terminals at once, and through the status file to the proxy and to
// `remote history`), instead of reading a bare "Killed" or "connection closed".
import fs from 'node:fs';
import path from 'node:path';

export interface MemoryCgroup {
  /** The job's cgroup directory (the step cgroups below it are counted too). */
  dir: string;
  version: 1 | 2;
}

/**
 * The job's memory cgroup, from /proc/self/cgroup: cgroup v1's memory
 * hierarchy or v2's unified one, cut at the job's own `job_<id>` directory.
 * Undefined where Slurm puts jobs in no such cgroup (proctrack/linuxproc).
 */
export function jobMemoryCgroup(jobId: string, procSelfCgroup: string, root = '/sys/fs/cgroup'): MemoryCgroup | undefined {
  const lines = procSelfCgroup.split('\n').map((l) => l.split(':'));
  const v1 = lines.find((f) => f[1]?.split(',').includes('memory'));
  const v2 = lines.find((f) => f[0] === '0' && f[1] === '');
  const found = v1 ? { version: 1 as const, base: path.join(root, 'memory'), cgroup: v1.slice(2).join(':') } : v2 ? { version: 2 as const, base: root, cgroup: v2.slice(2).join(':') } : undefined;
  if (!found) return undefined;
  const parts = found.cgroup.split('/');
  const at = parts.indexOf(`job_${jobId}`);
  if (at < 0) return undefined;
  // The path is relative to the hierarchy's root, which a node (a container, a cgroup
  // namespace, a subtree mounted in its place) may not show: the longest tail that exists.
  for (let from = 0; from <= at; from++) {
    const dir = path.join(found.base, ...parts.slice(from, at + 1));
    if (exists(dir)) return { dir, version: found.version };
  }
  return undefined;
}

const exists = (dir: string) => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The number of kills for memory in the job's cgroup and every cgroup below it. */
export function memoryKills(cgroup: MemoryCgroup): number {
  // v2 counts a subtree's kills in its root's memory.events; v1 counts each cgroup's own.
  if (cgroup.version === 2) return countIn(path.join(cgroup.dir, 'memory.events'));
  let kills = 0;
  const walk = (dir: string) => {
    kills += countIn(path.join(dir, 'memory.oom_control'));
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(cgroup.dir);
  return kills;
}

/** The job's memory limit in bytes (undefined: none, or unknown). */
export function memoryLimit(cgroup: MemoryCgroup): number | undefined {
  const file = path.join(cgroup.dir, cgroup.version === 2 ? 'memory.max' : 'memory.limit_in_bytes');
  try {
    const value = Number(fs.readFileSync(file, 'utf8').trim());
    // v1 writes "no limit" as a page-rounded LONG_MAX.
    return Number.isFinite(value) && value > 0 && value < 2 ** 60 ? value : undefined;
  } catch {
    return undefined;
  }
}

function countIn(file: string): number {
  try {
    const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('oom_kill '));
    return line ? Number(line.split(' ')[1]) || 0 : 0;
  } catch {
    return 0;
  }
}

const POLL_MS = 200;

/** Calls `onKill(newKills)` each time the count grows; returns the function that stops watching. */
export function watchMemoryKills(cgroup: MemoryCgroup, onKill: (newKills: number) => void, pollMs = POLL_MS): () => void {
  let seen = memoryKills(cgroup);
  const timer = setInterval(() => {
    const now = memoryKills(cgroup);
    if (now > seen) onKill(now - seen);
    seen = now;
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function memoryKillText(jobId: string, profile: string, limit: number | undefined): string {
  const of = limit ? ` of ${Math.round(limit / 1_048_576)} MiB` : '';
  return (
    `\r\n*** slurmhop: job ${jobId} (${profile}) reached its memory limit${of}: the kernel killed a process of this job. ***\r\n` +
    `*** Ask for more with mem = ... in [profile.${profile}] of config.ini, then reconnect (or "remote swap ${profile} --fresh"). ***\r\n`
  );
}
