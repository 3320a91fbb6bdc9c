// What every runtime module gives the session server: how to run a command in
// the prepared container, and how to clean up after it.
import { execa } from 'execa';
import type { Leftover } from '../guard.js';
import type { Mount } from './mounts.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `env`: variables set for this call only, over the job's environment. */
export type Exec = (program: string, args: string[], options?: { timeoutMs?: number; env?: Record<string, string> }) => Promise<ExecResult>;

export const execaExec: Exec = async (program, args, options = {}) => {
  const r = await execa(program, args, { reject: false, stdin: 'ignore', ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}), ...(options.env ? { env: options.env } : {}) });
  return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
};

export interface ContainerRun {
  runtime: 'enroot' | 'apptainer' | 'podman';
  /** How logs and errors name the container: the image and, once created, its local name. */
  describe: string;
  /** argv, program first, that runs `command` inside the container; `name` tells simultaneous runs apart. */
  argv(command: string[], name: string): string[];
  /** The process whose descendants are the container's, when it is not the runtime's own child. */
  mainPid?(name: string): Promise<number | undefined>;
  /** Removes what a run left behind. */
  remove?(name: string): Promise<void>;
  /** When the job ends: lets go of what the job used (a shared container stays for later jobs). */
  release?(): Promise<void>;
  /** What the guard removes or runs if the job's supervisor dies without release (job/guard.ts). */
  leftovers?(name: string): Leftover[];
  /** Added to the hint when the image cannot run: a container kept across jobs may be what is broken. */
  brokenHint?: string;
}

export interface PrepareInput {
  program: string;
  mounts: Mount[];
  exec: Exec;
  /** The job's environment: what is set here, every runtime call and the session's sshd inherit. */
  env: NodeJS.ProcessEnv;
  jobId: string;
  /** A directory on the node for what the job keeps to itself. */
  tmpDir: string;
  /** Which of these jobs Slurm still runs (all of them when it cannot tell). */
  jobsAlive: (ids: string[]) => Promise<Set<string>>;
  /** Where images fetched for slurmhop are cached (shared by jobs). */
  cacheDir: string;
  locksDir: string;
  log: (message: string) => void;
}

/** SRC:DST[:ro], as Apptainer's --bind and Podman's --volume read it. */
export const bindSpec = (m: Mount) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`;
