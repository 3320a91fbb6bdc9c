// VS Code's server in the home directory (Remote-SSH installs it there, on
// the login node and, through slurmhop, from every compute node): each VS Code
// update adds a version and Remote-SSH keeps five. A version is one commit:
//   bin/<commit>/                          the server, older Remote-SSH
//   .<commit>.log, .<commit>.pid, .<commit>.token   its files beside, older Remote-SSH
//   code-<commit>, code-insiders-<commit>  the VS Code CLI that starts the server (Remote-SSH's exec server)
//   cli/servers/<Quality>-<commit>/        the server the CLI installed (quality Stable, Insiders, Exploration)
// data/ (settings, logs, machine state) and extensions/ belong to no version.
import fs from 'node:fs';
import path from 'node:path';
import { ownProcesses, type ProcessInfo } from '../processes.js';
import { addUsage, measureTree, NO_USAGE, type TreeUsage, type WalkLimit } from './disk-usage.js';

export { ownProcesses, type ProcessInfo };

export const VSCODE_SERVER_DIR = '.vscode-server';

const COMMIT = '[0-9a-f]{40}';
const QUALITIES = 'Stable|Insiders|Exploration';

export interface ServerVersion {
  commit: string;
  /** Every file or directory that belongs to this version, absolute. */
  paths: string[];
}

export interface MeasuredVersion extends ServerVersion {
  /** Each path's own usage, in the order of `paths`. */
  parts: Array<{ path: string; usage: TreeUsage }>;
  usage: TreeUsage;
}

/** The server versions under `root` (~/.vscode-server), in no order. */
export function serverVersions(root: string): ServerVersion[] {
  const byCommit = new Map<string, string[]>();
  const add = (commit: string, p: string) => byCommit.set(commit, [...(byCommit.get(commit) ?? []), p]);
  const top = new RegExp(`^(?:code-(?:insiders-)?(${COMMIT})|\\.(${COMMIT})\\.(?:log|pid|token))$`);
  for (const name of list(root)) {
    const m = top.exec(name);
    if (m) add((m[1] ?? m[2])!, path.join(root, name));
  }
  for (const name of list(path.join(root, 'bin'))) {
    if (new RegExp(`^${COMMIT}$`).test(name)) add(name, path.join(root, 'bin', name));
  }
  // A name with ".staging" is an install in progress: not a version yet.
  const server = new RegExp(`^(?:${QUALITIES})-(${COMMIT})(?:-web)?$`);
  for (const name of list(path.join(root, 'cli', 'servers'))) {
    const m = server.exec(name);
    if (m) add(m[1]!, path.join(root, 'cli', 'servers', name));
  }
  return [...byCommit].map(([commit, paths]) => ({ commit, paths: paths.sort() }));
}

/** Each version with its size and newest change, newest first (the one used or installed last). */
export function measureVersions(root: string, limit: WalkLimit): MeasuredVersion[] {
  return serverVersions(root)
    .map((v) => {
      const parts = v.paths.map((p) => ({ path: p, usage: measureTree(p, limit) }));
      return { ...v, parts, usage: parts.reduce((sum, part) => addUsage(sum, part.usage), NO_USAGE) };
    })
    .sort((a, b) => b.usage.newestChangeMs - a.usage.newestChangeMs || a.commit.localeCompare(b.commit));
}

/** The user's processes that run from this version (its node, its CLI, a shell started in it). */
export function usersOf(version: ServerVersion, processes: ProcessInfo[]): ProcessInfo[] {
  // The commit is unique to the version, wherever remote.SSH.serverInstallPath put it.
  return processes.filter((p) => [p.exe, p.cwd, p.cmdline].some((s) => s?.includes(version.commit)));
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** The versions a running job's node runs, as the job recorded them (job/vscode-servers.ts); undefined: no record. */
export function recordedServers(file: string): string[] | undefined {
  try {
    const { commits } = JSON.parse(fs.readFileSync(file, 'utf8')) as { commits?: unknown };
    return Array.isArray(commits) ? commits.filter((c): c is string => typeof c === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why `p` is not the user's to remove, if it is not: it, the real directory
 * it is in, or anything below it (links not followed) belongs to someone
 * else. A ~/.vscode-server that links to a shared tree must not lead to
 * removing what others installed there.
 */
export function notOwned(p: string, uid: number | undefined, limit?: WalkLimit): string | undefined {
  if (uid === undefined) return undefined;
  const parent = dirNotOwned(path.dirname(p), uid);
  if (parent) return parent;
  if (!limit) return ownerOf(p, uid);
  const stack = [p];
  for (let seen = 0; stack.length; seen++) {
    if (seen % 256 === 255 && limit.now() >= limit.deadline) return 'its owners were not all looked at in time';
    const q = stack.pop()!;
    const problem = ownerOf(q, uid);
    if (problem) return problem;
    try {
      if (fs.lstatSync(q).isDirectory()) for (const name of fs.readdirSync(q)) stack.push(path.join(q, name));
    } catch {
      // gone meanwhile, or unreadable: the removal says so
    }
  }
  return undefined;
}

/** Why the directory `dir` really is (links followed) is not the user's, if it is not. */
export function dirNotOwned(dir: string, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  try {
    const real = fs.realpathSync(dir);
    const owner = fs.statSync(real).uid;
    if (owner === uid) return undefined;
    return real === dir ? `${dir} belongs to uid ${owner}, not to you` : `${dir} leads to ${real}, which belongs to uid ${owner}, not to you`;
  } catch (err) {
    return `${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

function ownerOf(p: string, uid: number): string | undefined {
  try {
    const owner = fs.lstatSync(p).uid;
    return owner === uid ? undefined : `${p} belongs to uid ${owner}, not to you`;
  } catch {
    return undefined; // gone: nothing to remove
  }
}
