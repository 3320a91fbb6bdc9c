// Who is using the job, for idle reclaim: the user's authenticated SSH
// sessions, never mere connections. Any cluster user can open a connection to
// the job's port and hold it, reconnecting within the login grace time; that
// must not keep someone else's GPU job alive.
import fs from 'node:fs';
import path from 'node:path';
import { descendantsOf, processTable, titleOf } from './procs.js';

/**
 * The job's own sshd: once a user is in, the connection's monitor calls itself
 * "sshd: USER [priv]" (OpenSSH 9.8+: "sshd-session: USER [priv]"); before, it
 * is "sshd: [accepted]", "[preauth]" or "[net]". Only processes below the
 * server's own root count (the listener, or a container's main process): they
 * are the user's, so hidepid does not hide them.
 */
export function authenticatedSessions(root: number, user: string, proc = '/proc'): number {
  const authenticated = new RegExp(`^sshd(-session)?: ${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[priv\\]$`);
  return descendantsOf(processTable(proc), root).filter((pid) => authenticated.test(titleOf(pid, proc))).length;
}

/**
 * transport = node-sshd: each relay of the user's proxies registers in the
 * job's directory (relays/<host>-<pid>) the address it connects from, as
 * /proc/net/tcp writes it. A registration counts while the node has an
 * established connection from that address to its port 22: the connection
 * proves the relay is alive, and only the user can write the registration.
 * /proc/net/tcp is the network namespace's, which hidepid does not hide.
 */
export function registeredRelays(relaysDir: string, port: number, tables: string[]): number {
  let names: string[];
  try {
    names = fs.readdirSync(relaysDir);
  } catch {
    return 0;
  }
  const peers = establishedPeers(port, tables);
  return names.filter((name) => {
    try {
      return peers.has(fs.readFileSync(path.join(relaysDir, name), 'utf8').trim());
    } catch {
      return false;
    }
  }).length;
}

/** The remote addresses (as /proc/net/tcp{,6} write them) of ESTABLISHED connections to local `port`. */
export function establishedPeers(port: number, tables: string[]): Set<string> {
  const peers = new Set<string>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/);
      if (local && remote && state === '01' && parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) peers.add(remote);
    }
  }
  return peers;
}

export function readTcpTables(proc = '/proc'): string[] {
  return ['tcp', 'tcp6'].flatMap((name) => {
    try {
      return [fs.readFileSync(path.join(proc, 'net', name), 'utf8')];
    } catch {
      return [];
    }
  });
}

/** Whether /proc hides other users' processes (mounted with hidepid), from its mount options. */
export function procHidesOthers(proc = '/proc'): boolean {
  try {
    const line = fs.readFileSync(path.join(proc, 'self', 'mountinfo'), 'utf8').split('\n').findLast((l) => l.split(' ')[4] === proc);
    return line !== undefined && /[ ,]hidepid=(1|2|noaccess|invisible)\b/.test(line);
  } catch {
    return true; // cannot tell: assume the worst
  }
}
