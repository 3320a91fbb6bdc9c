// `remote cleanup`: what may go from the home directory, and taking it away.
// - VS Code server versions beyond the newest two, unless a process of the
//   user on this host runs from one, or it changed in the last day (a server
//   may run from it on a compute node, where this host cannot look);
//   ~/.vscode-server/data and extensions are never touched.
// - The directory and output of slurmhop jobs that have ended (Slurm no
//   longer lists them, or they recorded their end), their records kept in
//   history.jsonl as the daily pruning keeps them (state/prune.ts).
import fs from 'node:fs';
import path from 'node:path';
import { formatSeconds } from '../log.js';
import { jobDir, jobOutputFile } from '../paths.js';
import { listJobs } from '../slurm/index.js';
import { endedEvent, endOf, prunableJobs, pruneJob, readStatus, supervisorAlive } from '../state/index.js';
import type { DoctorDeps } from './deps.js';
import { addUsage, measureTree, NO_USAGE, type TreeUsage } from './disk-usage.js';
import { measureVersions, usersOf, VSCODE_SERVER_DIR } from './vscode-server.js';

export const KEEP_VERSIONS = 2;
/** A version changed this recently may be running on a compute node. */
const RECENTLY_USED_MS = 24 * 3_600_000;
/** A job directory this new may be a job submitted after squeue answered. */
const JOB_SETTLE_MS = 10 * 60_000;
/** Looking through the versions stops here; a version not looked through is kept. */
const CLEANUP_WALK_MS = 60_000;

export type Removal =
  | { kind: 'vscode'; commit: string; path: string; usage: TreeUsage }
  | { kind: 'job'; jobId: string; profile: string | undefined; ended: string | undefined; paths: string[]; usage: TreeUsage };

export interface Kept {
  what: string;
  why: string;
}

export interface CleanupPlan {
  remove: Removal[];
  kept: Kept[];
}

/** Asks Slurm once (a SlurmhopError when it does not answer: then nothing is planned). */
export async function planCleanup(deps: DoctorDeps): Promise<CleanupPlan> {
  const listed = new Set((await listJobs(deps.run, { user: deps.user })).map((j) => j.id));
  const plan: CleanupPlan = { remove: [], kept: [] };
  planVersions(deps, plan);
  const now = deps.now();
  // A job Slurm still lists is alive unless it recorded its end; one it no longer lists has ended,
  // unless its supervisor still keeps its liveness mark fresh (a job this squeue does not show:
  // another cluster sharing the home, a federation).
  const alive = (id: string) => (listed.has(id) && !endedEvent(deps.stateDir, id)) || supervisorAlive(deps.stateDir, id);
  for (const jobId of prunableJobs(deps.stateDir, now, { retentionMs: JOB_SETTLE_MS, alive })) {
    const paths = [jobDir(deps.stateDir, jobId), jobOutputFile(deps.stateDir, jobId)].filter((p) => fs.existsSync(p));
    const usage = paths.map((p) => measureTree(p, { now: deps.now, deadline: Infinity })).reduce(addUsage, NO_USAGE);
    const events = readStatus(deps.stateDir, jobId);
    const ended = endOf(events)?.reason;
    plan.remove.push({ kind: 'job', jobId, profile: events[0]?.profile, ended, paths, usage });
  }
  return plan;
}

function planVersions(deps: DoctorDeps, plan: CleanupPlan): void {
  const root = path.join(deps.home, VSCODE_SERVER_DIR);
  const now = deps.now();
  const versions = measureVersions(root, { now: deps.now, deadline: now + CLEANUP_WALK_MS });
  const processes = deps.processes();
  for (const v of versions.slice(KEEP_VERSIONS)) {
    const what = `VS Code server ${v.commit}`;
    const users = usersOf(v, processes);
    if (users.length) plan.kept.push({ what, why: `in use on this host (process ${users.map((p) => p.pid).join(', ')})` });
    else if (!v.usage.complete) plan.kept.push({ what, why: `not looked through within ${CLEANUP_WALK_MS / 1000}s` });
    else if (now - v.usage.newestChangeMs < RECENTLY_USED_MS) {
      plan.kept.push({ what, why: `changed ${formatSeconds((now - v.usage.newestChangeMs) / 1000)} ago (it may be running on a compute node)` });
    } else {
      for (const part of v.parts) plan.remove.push({ kind: 'vscode', commit: v.commit, path: part.path, usage: part.usage });
    }
  }
}

export interface Failure {
  removal: Removal;
  error: string;
}

/** Removes what the plan says, unless a process started using a version meanwhile; returns what was removed and what failed. */
export function applyCleanup(deps: DoctorDeps, plan: CleanupPlan): { removed: Removal[]; kept: Kept[]; failed: Failure[] } {
  const processes = deps.processes();
  const removed: Removal[] = [];
  const kept: Kept[] = [...plan.kept];
  const failed: Failure[] = [];
  const busy = new Set<string>();
  for (const r of plan.remove) {
    try {
      if (r.kind === 'vscode') {
        const users = usersOf({ commit: r.commit, paths: [r.path] }, processes);
        if (users.length || busy.has(r.commit)) {
          if (!busy.has(r.commit)) kept.push({ what: `VS Code server ${r.commit}`, why: `in use on this host (process ${users.map((p) => p.pid).join(', ')})` });
          busy.add(r.commit);
          continue;
        }
        fs.rmSync(r.path, { recursive: true, force: true });
      } else {
        pruneJob(deps.stateDir, r.jobId);
      }
      removed.push(r);
    } catch (err) {
      failed.push({ removal: r, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
  return { removed, kept, failed };
}
