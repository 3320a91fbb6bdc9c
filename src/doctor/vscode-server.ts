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
import { addUsage, measureTree, NO_USAGE, type TreeUsage, type WalkLimit } from './disk-usage.js';

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

/** A process of the user on this host, as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  /** Where its executable, working directory and command line point. */
  exe?: string | undefined;
  cwd?: string | undefined;
  cmdline: string;
}

/** The user's processes that run from this version (its node, its CLI, a shell started in it). */
export function usersOf(version: ServerVersion, processes: ProcessInfo[]): ProcessInfo[] {
  // The commit is unique to the version, wherever remote.SSH.serverInstallPath put it.
  return processes.filter((p) => [p.exe, p.cwd, p.cmdline].some((s) => s?.includes(version.commit)));
}

/** The user's processes on this host, from /proc (another user's are not readable, nor needed). */
export function ownProcesses(uid: number | undefined, procRoot = '/proc'): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of list(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const dir = path.join(procRoot, name);
    try {
      if (uid !== undefined && fs.statSync(dir).uid !== uid) continue;
      const link = (what: string) => {
        try {
          return fs.readlinkSync(path.join(dir, what));
        } catch {
          return undefined;
        }
      };
      const cmdline = fs.readFileSync(path.join(dir, 'cmdline'), 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), exe: link('exe'), cwd: link('cwd'), cmdline });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
