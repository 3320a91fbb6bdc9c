// Hand the byte relay to a lean relay on the login node: a Node process holds
// ~50 MB for as long as a session is open. The proxy replaces itself (execve)
// with bash relaying through /dev/tcp with two dd (relay-script.ts), which
// then says why the session ended, starting `remote session-ended` only for
// an end that is not an ordinary one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { relaysDir, stateDir } from '../paths.js';
import { mark } from '../timing.js';
import type { Contact } from '../state/index.js';
import { laterText, loginScript } from './relay-script.js';

export interface RelayProgram {
  bash: string;
}

/** Where a node-sshd relay of this process registers; undefined for the other transports (their sessions are counted on the node). */
export function relayRegistration(state: string, contact: Contact): string | undefined {
  return contact.transport === 'node-sshd' ? path.join(relaysDir(state, contact.jobId), `${os.hostname()}-${process.pid}`) : undefined;
}

export function findRelayProgram(): RelayProgram | undefined {
  for (const bash of ['/bin/bash', '/usr/bin/bash']) {
    try {
      fs.accessSync(bash, fs.constants.X_OK);
      return { bash };
    } catch {
      // next
    }
  }
  return undefined;
}

export interface HandoffPlan {
  contact: Contact;
  relay: RelayProgram;
  /** How to run slurmhop again afterwards (to say why the session ended). */
  remote: string[];
  /** A file with the bytes the client already sent; sent first, then removed. */
  heldFile?: string;
  /** transport = node-sshd: where the relay registers (relay-script.ts). */
  registration?: string;
  /** The size of the job's status file when the session began (state/status.ts statusSize). */
  statusSince?: number;
  /** The state directory (default: this process's). */
  stateDir?: string;
}

export function handoffArgv({ contact, relay, remote, heldFile, registration, statusSince, stateDir: state = stateDir() }: HandoffPlan): string[] {
  const args = [laterText(), contact.transport ?? 'tcp', contact.node, String(contact.port), contact.jobId, heldFile ?? '', registration ?? '', String(statusSince ?? ''), state, '', ...remote];
  // -p: no $BASH_ENV (Lmod sites export one), no imported functions: nothing but the relay may write to the SSH stream.
  return [relay.bash, '-p', '-c', loginScript(), 'slurmhop-session', ...args];
}

/** Whether this process may replace itself with the relay (SLURMHOP_NODE_RELAY=1 keeps the Node relay). */
export function canHandOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof process.execve === 'function' && env.SLURMHOP_NODE_RELAY !== '1';
}

/** Replaces this process; returns false (and does nothing) where that is not possible. */
export function handOff(plan: HandoffPlan, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!canHandOff(env)) return false;
  const [file, ...args] = handoffArgv(plan);
  const { NODE_OPTIONS: _ignored, ...rest } = env;
  // The relay and `remote session-ended` print only ASCII: the C locale spares bash and
  // both dd loading the user's locale (1 MiB less RSS per session on the login node).
  const clean = { ...rest, LC_ALL: 'C' };
  // Node puts stdin in non-blocking mode once anything touches process.stdin (execa does
  // as it loads); the relay's dd would then fail with EAGAIN. Touching it here is harmless.
  (process.stdin as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(true);
  mark('execve');
  process.execve!(file!, [file!, ...args], clean);
  return true; // not reached
}
