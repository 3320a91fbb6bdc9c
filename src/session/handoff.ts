// Hand the byte relay to the leanest relay program on the login node: a Node
// process holds ~50 MB for as long as a session is open, nc about 1 MB. The
// proxy replaces itself (execve) with a small shell that runs the relay and
// then `remote session-ended`, so the user is still told why a session ended.
import fs from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../templates/render.js';
import type { Contact } from './contact.js';

export type RelayKind = 'openbsd-nc' | 'ncat' | 'socat';

export interface RelayProgram {
  kind: RelayKind;
  path: string;
}

/**
 * Known by name, without running anything: a relay must half-close (shut the
 * socket's write side on stdin EOF and keep reading), which traditional
 * netcat does not do.
 */
export function findRelayProgram(env: NodeJS.ProcessEnv = process.env): RelayProgram | undefined {
  const dirs = (env.PATH ?? '/usr/bin:/bin').split(':').filter((d) => d.startsWith('/'));
  for (const name of ['nc.openbsd', 'ncat', 'nc', 'socat']) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      let real: string;
      try {
        fs.accessSync(file, fs.constants.X_OK);
        real = path.basename(fs.realpathSync(file));
      } catch {
        continue;
      }
      const kind: RelayKind | undefined = real === 'nc.openbsd' ? 'openbsd-nc' : real === 'ncat' ? 'ncat' : real === 'socat' ? 'socat' : undefined;
      if (kind) return { kind, path: file };
    }
  }
  return undefined;
}

export function relayWords(relay: RelayProgram, host: string, port: number): string[] {
  switch (relay.kind) {
    case 'openbsd-nc':
      return [relay.path, '-N', host, String(port)];
    case 'ncat':
      return [relay.path, host, String(port)]; // ncat half-closes by default
    case 'socat':
      return [relay.path, '-t', '30', 'STDIO', `TCP:${host}:${port}`];
  }
}

export interface HandoffPlan {
  contact: Contact;
  relay: RelayProgram;
  /** How to run slurmhop again afterwards (to say why the session ended). */
  remote: string[];
  /**
   * Bytes the client already sent (its SSH banner, read while waiting for the
   * job): a file the relay sends first, then removes.
   */
  heldFile?: string;
}

export function handoffScript({ contact, relay, remote, heldFile }: HandoffPlan): string {
  const relayCommand = relayWords(relay, contact.node, contact.port).map(shellQuote).join(' ');
  const held = heldFile ? shellQuote(heldFile) : undefined;
  const pipeline = held ? `{ cat ${held} && rm -f ${held} && exec cat; } | ${relayCommand}` : `${relayCommand}`;
  const after = [...remote, 'session-ended', contact.jobId].map(shellQuote).join(' ');
  // stdout stays open in `remote session-ended` (which never writes to it): the
  // client sees the connection close only after the reason is on stderr.
  return `${pipeline}; exec ${after} "$?" </dev/null`;
}

/** Replaces this process; returns false (and does nothing) where that is not possible. */
export function handOff(plan: HandoffPlan, env: NodeJS.ProcessEnv = process.env): boolean {
  if (typeof process.execve !== 'function' || env.SLURMHOP_NODE_RELAY === '1') return false;
  const { NODE_OPTIONS: _ignored, ...clean } = env;
  process.execve('/bin/sh', ['sh', '-c', handoffScript(plan)], clean);
  return true; // not reached
}
