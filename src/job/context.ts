// The job side's shared shapes: its settings, its context (side effects with
// real defaults), and the server sessions connect to, whatever starts it.
import os from 'node:os';
import type { Log } from '../log.js';
import { stateDir } from '../paths.js';
import { execaRunner, type SlurmRunner } from '../slurm/index.js';
import type { ContainerSettings } from './container/index.js';
import type { SignalSource } from './end.js';
import type { Leftover } from './guard.js';
import type { Terminal } from './walltime.js';

/** What the job needs of its profile, given on its command line by the job script. */
export interface JobSettings {
  profile: string;
  sshd?: string | undefined;
  /** Seconds without an SSH connection before the job ends itself; 0 = never. */
  idleTimeout: number;
  /** Also count GPU utilisation as activity. */
  idleGpu?: boolean;
  /** Seconds before the time limit at which the session's terminals are warned. */
  warnBefore?: number[];
  /** srun: sshd listens on the node's loopback only (the proxy comes in through srun); node-sshd: the node's own sshd. */
  transport?: 'tcp' | 'srun' | 'node-sshd';
  /** Run the session's sshd inside this container. */
  container?: ContainerSettings;
}

export interface JobContext {
  env: NodeJS.ProcessEnv;
  log: Log;
  run: SlurmRunner;
  stateDir: string;
  user: string;
  signals: SignalSource;
  /** transport = node-sshd (tests swap it). */
  startNodeSshd?: (node: string, relaysDir: string) => Promise<NodeSshd>;
}

export function defaultJobContext(log: Log): JobContext {
  return { env: process.env, log, run: execaRunner, stateDir: stateDir(), user: os.userInfo().username, signals: process };
}

export interface SessionServer {
  port: number;
  /** Settles when the server exits, with the signal that ended it, if any. */
  exited: Promise<NodeJS.Signals | null>;
  /** The process whose descendants hold the session terminals (walltime warnings). */
  terminalsRoot: number | undefined;
  stop(): Promise<void>;
  /** A server that is not only ours (the node's sshd) counts the user's sessions itself; else: the authenticated ones below terminalsRoot. */
  sessions?: () => number;
  /** Why the user's sessions cannot be counted here (idle reclaim is then off). */
  uncountable?: string;
  /** Likewise the sessions' terminals; else: those under terminalsRoot. */
  terminals?: () => Terminal[];
  /** Host keys the contact publishes (the node's own); else the user's pinned job key applies. */
  hostKeys?: string[];
  /** The server's software version, from its banner (the contact's sshdVersion). */
  software?: string;
  /** What must not outlive the job's supervisor if it dies uncleanly (job/guard.ts). */
  leftovers?: Leftover[];
}

/** A SessionServer that publishes the node's keys and counts the user's sessions on this node itself. */
export type NodeSshd = Required<Pick<SessionServer, 'hostKeys' | 'terminals'>> & SessionServer;
