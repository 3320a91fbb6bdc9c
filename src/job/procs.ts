// The process table as /proc shows it to the user: who is whose child, and
// what a process calls itself (sshd writes its state into its command line).
import fs from 'node:fs';

export interface ProcEntry {
  ppid: number;
  /** The command name (stat's second field). */
  comm: string;
}

/** Every process this user may see (hidepid hides others'), by pid. */
export function processTable(proc = '/proc'): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  for (const entry of fs.readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`${proc}/${entry}/stat`, 'utf8');
      // The name may hold spaces and parentheses: it runs from the first "(" to the last ")".
      const close = stat.lastIndexOf(')');
      table.set(Number(entry), { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(stat.slice(close + 2).split(' ')[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The processes below `root` (not `root` itself). */
export function descendantsOf(table: Map<number, ProcEntry>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length; ) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** The command line as `ps` shows it: sshd's "sshd: ada [priv]". */
export function titleOf(pid: number, proc = '/proc'): string {
  try {
    return fs.readFileSync(`${proc}/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
  } catch {
    return '';
  }
}
