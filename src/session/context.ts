// Everything the session part touches outside itself, with real defaults.
import os from 'node:os';
import type { Socket } from 'node:net';
import { createLog, type Log } from '../log.js';
import { stateDir } from '../paths.js';
import { execaRunner, type SlurmRunner } from '../slurm/index.js';
import { selfCommand } from '../self.js';
import { findRelayProgram, type RelayProgram } from './handoff.js';
import { connectTcp } from '../state/index.js';

export interface SessionContext {
  run: SlurmRunner;
  log: Log;
  user: string;
  home: string;
  stateDir: string;
  /** The command the job script runs slurmhop with (shared filesystem). */
  remoteCommand: string[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  connect: (host: string, port: number, timeoutMs: number) => Promise<Socket>;
  /** The program the relay is handed to, if the login node has one (see handoff.ts). */
  relayProgram: () => RelayProgram | undefined;
}

export function defaultSessionContext(overrides: Partial<SessionContext> = {}): SessionContext {
  return {
    run: execaRunner,
    log: createLog(),
    user: os.userInfo().username,
    home: process.env.HOME || os.homedir(),
    stateDir: stateDir(),
    remoteCommand: selfCommand(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    connect: connectTcp,
    relayProgram: () => findRelayProgram(),
    ...overrides,
  };
}
