// transport = node-sshd: no sshd of our own. Sessions come in through the
// node's own sshd (root, port 22), which pam_slurm_adopt lets in only while the
// user has a job on the node. The job holds the allocation and publishes the
// node's host keys, read from root-owned files, so the laptop can pin them.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../errors.js';
import { connectTcp, readBanner } from '../state/index.js';
import type { NodeSshd } from './context.js';
import { procHidesOthers, readTcpTables, registeredRelays } from './sessions.js';
import { sessionTerminals, type Terminal } from './walltime.js';

export const NODE_SSHD_PORT = 22;

export interface NodeSshdDeps {
  sshDir: string;
  proc: string;
  uid: number;
  /** Whether sshd answers on host:port (an SSH banner); the reason when not. */
  probe: (host: string, port: number) => Promise<string | undefined>;
  hidesOthers: () => boolean;
  tcpTables: () => string[];
}

export const defaultNodeSshdDeps = (): NodeSshdDeps => ({
  sshDir: '/etc/ssh',
  proc: '/proc',
  uid: process.getuid?.() ?? -1,
  probe: probeSshd,
  hidesOthers: () => procHidesOthers(),
  tcpTables: () => readTcpTables(),
});

export async function startNodeSshd(node: string, relaysDir: string, deps: NodeSshdDeps = defaultNodeSshdDeps()): Promise<NodeSshd> {
  const hostKeys = readNodeHostKeys(deps.sshDir);
  const problem = await deps.probe(node, NODE_SSHD_PORT);
  if (problem) {
    throw new SlurmhopError('job-failed', `transport = node-sshd: the node's sshd does not answer on ${node}:${NODE_SSHD_PORT}: ${problem}`, 'this site does not let users ssh to their nodes: use transport = tcp or srun');
  }
  // No child process keeps this one alive: without a timer, Node would exit (and
  // the job end) as soon as the contact is written.
  const hold = setInterval(() => {}, 3_600_000);
  return {
    port: NODE_SSHD_PORT,
    // The node's sshd is not ours: it neither ends with the job nor is stopped by it.
    exited: new Promise<never>(() => {}),
    terminalsRoot: undefined,
    stop: async () => clearInterval(hold),
    hostKeys,
    ...sessionCount(relaysDir, deps),
    terminals: () => uniqueByName(nodeSessions(deps.proc, deps.uid).flatMap((pid) => sessionTerminals(pid, deps.proc))),
  };
}

/**
 * The user's sessions on this node: the node sshd's session processes of the
 * user, and the relays of the user's proxies with a live connection (the
 * only count that works where /proc hides root's sshd: hidepid).
 */
function sessionCount(relaysDir: string, deps: NodeSshdDeps): Pick<NodeSshd, 'sessions' | 'uncountable'> {
  if (deps.hidesOthers() && deps.tcpTables().length === 0) {
    return { uncountable: `${deps.proc} hides other users' processes (hidepid) and ${deps.proc}/net/tcp cannot be read` };
  }
  return { sessions: () => nodeSessions(deps.proc, deps.uid).length + registeredRelays(relaysDir, NODE_SSHD_PORT, deps.tcpTables()) };
}

const uniqueByName = (terminals: Terminal[]) => [...new Map(terminals.map((t) => [t.name, t])).values()].sort((a, b) => a.name.localeCompare(b.name));

/**
 * `type base64` of every /etc/ssh/ssh_host_*_key.pub. Only files root owns and
 * only root can write are trusted: the laptop pins what they say.
 */
export function readNodeHostKeys(sshDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(sshDir).filter((n) => /^ssh_host_[a-z0-9]+_key\.pub$/.test(n)).sort();
  } catch (err) {
    throw noKeys(sshDir, (err as Error).message);
  }
  const keys: string[] = [];
  for (const name of names) {
    const file = path.join(sshDir, name);
    const st = fs.statSync(file);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) continue;
    const [type, blob] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
    if (type && blob && /^[A-Za-z0-9+/]+=*$/.test(blob)) keys.push(`${type} ${blob}`);
  }
  if (keys.length === 0) throw noKeys(sshDir, 'no ssh_host_*_key.pub owned by root and writable only by root');
  return keys;
}

const noKeys = (dir: string, why: string) =>
  new SlurmhopError('job-failed', `transport = node-sshd: cannot read the node's host keys in ${dir}: ${why}`, 'without them the laptop cannot check the node; use transport = tcp or srun');

interface ProcInfo {
  name: string;
  uid: number;
  ppid: number;
}

function procInfo(proc: string, pid: string): ProcInfo | undefined {
  try {
    const status = fs.readFileSync(`${proc}/${pid}/status`, 'utf8');
    const field = (key: string) => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(status)?.[1];
    return { name: field('Name') ?? '', uid: Number(field('Uid')), ppid: Number(field('PPid')) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/**
 * The user's sessions through the node's sshd: per connection, sshd runs a
 * child as the user under a root monitor. (Our own sshds' children have a
 * parent of ours, so transport = tcp/srun jobs of the same user do not count.)
 */
/** OpenSSH 9.8+ runs each connection as sshd-session (monitor and user child). */
const SSHD_NAMES = new Set(['sshd', 'sshd-session']);

export function nodeSessions(proc: string, uid: number): number[] {
  const all = new Map<number, ProcInfo>();
  for (const entry of fs.readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const info = procInfo(proc, entry);
    if (info) all.set(Number(entry), info);
  }
  const here = rootMountId(proc, 'self');
  return [...all]
    .filter(([, p]) => SSHD_NAMES.has(p.name) && p.uid === uid && SSHD_NAMES.has(all.get(p.ppid)?.name ?? '') && all.get(p.ppid)?.uid === 0)
    .filter(([pid]) => here === undefined || rootMountId(proc, String(pid)) === here)
    .map(([pid]) => pid);
}

/**
 * Where one process table shows several hosts (containers, the local test
 * cluster), the mount namespace tells them apart: the id of "/" in
 * mountinfo differs per namespace, and mountinfo is readable for any process
 * (the namespace links are not, for sshd's non-dumpable children).
 */
function rootMountId(proc: string, pid: string): string | undefined {
  try {
    const line = fs.readFileSync(`${proc}/${pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
    return line?.split(' ')[0];
  } catch {
    return undefined;
  }
}

async function probeSshd(host: string, port: number): Promise<string | undefined> {
  try {
    const socket = await connectTcp(host, port, 5_000);
    try {
      const banner = (await readBanner(socket)).toString('latin1');
      return banner.startsWith('SSH-') ? undefined : `it answers ${JSON.stringify(banner.split('\n')[0]!.trim().slice(0, 80))}`;
    } finally {
      socket.destroy();
    }
  } catch (err) {
    return (err as Error).message;
  }
}
