// The user's processes on this host as /proc shows them: what each runs from
// (doctor: which VS Code server versions are in use on the login node; the
// job: which ones its node runs, doctor/cleanup.ts and job/vscode-servers.ts).
import fs from 'node:fs';
import path from 'node:path';

export interface ProcessInfo {
  pid: number;
  /** Where its executable, working directory and command line point. */
  exe?: string | undefined;
  cwd?: string | undefined;
  cmdline: string;
}

/** The user's processes on this host (another user's are not readable, nor needed). */
export function ownProcesses(uid: number | undefined, procRoot = '/proc'): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return found;
  }
  for (const name of names) {
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
