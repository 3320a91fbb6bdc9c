// Everything the session part touches outside itself, with real defaults.
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { createLog, type Log } from '../log.js';
import { stateDir } from '../paths.js';
import { execaRunner, type SlurmRunner } from '../slurm/index.js';
import { connectTcp } from './tcp.js';

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
}

/** The single executable is its own command; the bundle needs node in front of it. */
export function selfCommand(): string[] {
  const script = process.argv[1];
  const isBundle = script !== undefined && script !== process.execPath && /\.c?js$/.test(script);
  return isBundle ? [process.execPath, path.resolve(script)] : [process.execPath];
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
    ...overrides,
  };
}
