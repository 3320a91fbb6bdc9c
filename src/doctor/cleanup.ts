// `remote cleanup`: what may go from the home directory, and taking it away.
// - VS Code server versions beyond the newest two, unless one is in use: a
//   process of the user on this host runs from it, a running slurmhop job
//   recorded that its node runs it (job/vscode-servers.ts), or it changed in
//   the last day (a job of another kind may run it). While a slurmhop job
//   runs that recorded nothing (one started by an older slurmhop), every
//   version stays. Nothing that belongs to another user goes, nor anything in
//   a directory of theirs (a ~/.vscode-server linked to a shared tree);
//   ~/.vscode-server/data and extensions are never touched.
// - The directory and output of slurmhop jobs that have ended (Slurm no
//   longer lists them, or they recorded their end), their records kept in
//   history.jsonl as the daily pruning keeps them (state/prune.ts).
import fs from 'node:fs';
import path from 'node:path';
import { formatSeconds } from '../log.js';
import { JOB_NAME_PREFIX, jobDir, jobOutputFile, jobsDir, vscodeServersFile } from '../paths.js';
import { listJobs, type JobInfo } from '../slurm/index.js';
import { endedEvent, endOf, prunableJobs, pruneJob, readStatus, supervisorAlive } from '../state/index.js';
import type { DoctorDeps } from './deps.js';
import { addUsage, measureTree, NO_USAGE, type TreeUsage } from './disk-usage.js';
import { dirNotOwned, measureVersions, notOwned, recordedServers, usersOf, VSCODE_SERVER_DIR } from './vscode-server.js';

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
  /** The running slurmhop jobs whose records of VS Code servers are read again just before removing. */
  serverJobs: RunningJob[];
}

/** Asks Slurm once (a SlurmhopError when it does not answer: then nothing is planned). */
export async function planCleanup(deps: DoctorDeps): Promise<CleanupPlan> {
  const jobs = await listJobs(deps.run, { user: deps.user });
  const listed = new Set(jobs.map((j) => j.id));
  const plan: CleanupPlan = { remove: [], kept: [], serverJobs: [] };
  planVersions(deps, plan, jobs);
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

interface RunningJob {
  id: string;
  /** Where it runs, as squeue says ('' for a job this squeue does not list). */
  nodes: string;
}

/** States in which a job's processes may run (squeue lists ended jobs for a while, too). */
const NOT_RUNNING = new Set(['PENDING', 'COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY', 'REVOKED', 'SPECIAL_EXIT']);

function planVersions(deps: DoctorDeps, plan: CleanupPlan, jobs: JobInfo[]): void {
  const root = path.join(deps.home, VSCODE_SERVER_DIR);
  const now = deps.now();
  const limit = { now: deps.now, deadline: now + CLEANUP_WALK_MS };
  const old = measureVersions(root, limit).slice(KEEP_VERSIONS);
  if (!old.length) return;
  const rootProblem = dirNotOwned(root, deps.uid);
  if (rootProblem) {
    plan.kept.push({ what: `every VS Code server in ~/${VSCODE_SERVER_DIR}`, why: rootProblem });
    return;
  }
  plan.serverJobs = runningJobs(deps, jobs);
  const inJobs = jobServers(deps, plan.serverJobs);
  const processes = deps.processes();
  for (const v of old) {
    const what = `VS Code server ${v.commit}`;
    const users = usersOf(v, processes);
    const why = users.length
      ? `in use on this host (process ${users.map((p) => p.pid).join(', ')})`
      : (inJobs.why(v.commit) ??
        (!v.usage.complete
          ? `not looked through within ${CLEANUP_WALK_MS / 1000}s`
          : now - v.usage.newestChangeMs < RECENTLY_USED_MS
            ? `changed ${formatSeconds((now - v.usage.newestChangeMs) / 1000)} ago (it may be running on a compute node)`
            : v.parts.map((part) => notOwned(part.path, deps.uid, limit)).find(Boolean)));
    if (why) plan.kept.push({ what, why });
    else for (const part of v.parts) plan.remove.push({ kind: 'vscode', commit: v.commit, path: part.path, usage: part.usage });
  }
}

/** The slurmhop jobs that may run now: listed running, or (not listed: another cluster sharing the home) keeping their liveness mark fresh. */
function runningJobs(deps: DoctorDeps, jobs: JobInfo[]): RunningJob[] {
  const listed = jobs.filter((j) => j.name.startsWith(JOB_NAME_PREFIX) && !NOT_RUNNING.has(j.state)).map((j) => ({ id: j.id, nodes: j.nodes }));
  const known = new Set(jobs.map((j) => j.id));
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync(jobsDir(deps.stateDir));
  } catch {
    // no jobs yet
  }
  const unlisted = dirs.filter((id) => /^\d+$/.test(id) && !known.has(id) && supervisorAlive(deps.stateDir, id)).map((id) => ({ id, nodes: '' }));
  return [...listed, ...unlisted];
}

/** Why a version must stay for the running jobs, if it must: one runs it, or one did not say what it runs. */
function jobServers(deps: DoctorDeps, jobs: RunningJob[]): { why(commit: string): string | undefined } {
  const users = new Map<string, string[]>();
  const silent: string[] = [];
  for (const job of jobs) {
    const where = job.nodes ? `job ${job.id} on ${job.nodes}` : `job ${job.id}`;
    const commits = recordedServers(vscodeServersFile(deps.stateDir, job.id));
    if (!commits) silent.push(where);
    else for (const c of commits) users.set(c, [...(users.get(c) ?? []), where]);
  }
  return {
    why: (commit) =>
      users.has(commit)
        ? `in use by ${users.get(commit)!.join(', ')}`
        : silent.length
          ? `your ${silent.join(', ')} runs and did not record which VS Code servers it uses (started by an older slurmhop?): every version stays while it runs`
          : undefined,
  };
}

export interface Failure {
  removal: Removal;
  error: string;
}

/** Removes what the plan says, unless a process or a running job started using a version meanwhile; returns what was removed and what failed. */
export function applyCleanup(deps: DoctorDeps, plan: CleanupPlan): { removed: Removal[]; kept: Kept[]; failed: Failure[] } {
  const processes = deps.processes();
  const inJobs = jobServers(deps, plan.serverJobs);
  const removed: Removal[] = [];
  const kept: Kept[] = [...plan.kept];
  const failed: Failure[] = [];
  const busy = new Set<string>();
  for (const r of plan.remove) {
    try {
      if (r.kind === 'vscode') {
        if (busy.has(r.commit)) continue;
        const users = usersOf({ commit: r.commit, paths: [r.path] }, processes);
        const why = users.length ? `in use on this host (process ${users.map((p) => p.pid).join(', ')})` : (inJobs.why(r.commit) ?? notOwned(r.path, deps.uid));
        if (why) {
          kept.push({ what: `VS Code server ${r.commit}`, why });
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
