// Everything doctor (and cleanup) looks at outside the filesystem paths it is
// given, with real defaults: Slurm (with a deadline), the platform,
// ssh-keygen, quota and the filesystems, the user's processes, the clock.
import fs from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';
import { VERSION } from '../version.js';
import { SlurmhopError } from '../errors.js';
import { configFile, stateDir } from '../paths.js';
import { selfCommand } from '../self.js';
import { execaRunner, type SlurmRunner } from '../slurm/index.js';
import { runningProgram, type Running } from '../update/index.js';
import { ownProcesses, type ProcessInfo } from './vscode-server.js';

export interface DoctorDeps {
  user: string;
  /** The user's uid, to tell their files from others'; undefined where there are no uids. */
  uid: number | undefined;
  home: string;
  stateDir: string;
  configFile: string;
  run: SlurmRunner;
  version: string;
  running: Running;
  platform: string;
  arch: string;
  /** The C library's version (glibc), undefined when it is not glibc. */
  glibc: () => string | undefined;
  /** The command job scripts run slurmhop with. */
  remoteCommand: string[];
  /** The public half of an OpenSSH private key ("type base64"), as `ssh-keygen -y` derives it. */
  publicKeyOf: (privateKey: string) => Promise<string>;
  /** Free bytes on the filesystem that holds `dir`. */
  freeBytes: (dir: string) => number;
  /** `quota -w -p` (the user's quotas), within a deadline; undefined where quota is not installed. */
  quota: () => Promise<QuotaAnswer | undefined>;
  /** /proc/self/mountinfo ('' where there is none). */
  mountinfo: () => string;
  /** What statfs (and so df) says of the filesystem that holds `dir`. */
  filesystem: (dir: string) => FilesystemInfo;
  /** The user's processes on this host. */
  processes: () => ProcessInfo[];
  now: () => number;
}

export interface QuotaAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut?: boolean;
}

export interface FilesystemInfo {
  totalBytes: number;
  /** What the user may still write (df's "Available"). */
  availableBytes: number;
  /** Inodes; 0 where the filesystem has no fixed number (btrfs). */
  files: number;
  freeFiles: number;
}

/** quota asks an NFS server's rpc.rquotad, which may not answer. */
export const QUOTA_DEADLINE_MS = 10_000;

/** Each Slurm command gets this long: doctor must answer even when slurmctld does not. */
export const SLURM_DEADLINE_MS = 20_000;

export function defaultDoctorDeps(env: NodeJS.ProcessEnv = process.env): DoctorDeps {
  const home = env.HOME || os.homedir();
  return {
    user: os.userInfo().username,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    home,
    stateDir: stateDir(env),
    configFile: configFile(env),
    run: withDeadline(execaRunner, SLURM_DEADLINE_MS),
    version: VERSION,
    running: runningProgram(VERSION),
    platform: process.platform,
    arch: process.arch,
    glibc: () => (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime,
    remoteCommand: selfCommand(),
    publicKeyOf: async (key) => {
      const r = await execa('ssh-keygen', ['-y', '-f', key], { reject: false, stdin: 'ignore', timeout: 10_000 });
      if (r.exitCode !== 0) throw new Error(String(r.stderr || r.message || 'ssh-keygen failed').trim().split('\n').pop());
      return String(r.stdout).trim();
    },
    freeBytes: (dir) => {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    quota: async () => {
      // LC_ALL=C: other locales translate its headings and messages.
      const r = await execa('quota', ['-w', '-p'], { reject: false, stdin: 'ignore', timeout: QUOTA_DEADLINE_MS, env: { LC_ALL: 'C' } });
      if ((r as { code?: string }).code === 'ENOENT') return undefined;
      return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1, timedOut: r.timedOut };
    },
    mountinfo: () => {
      try {
        return fs.readFileSync('/proc/self/mountinfo', 'utf8');
      } catch {
        return '';
      }
    },
    filesystem: (dir) => {
      const s = fs.statfsSync(dir);
      return { totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize, files: s.files, freeFiles: s.ffree };
    },
    processes: () => ownProcesses(typeof process.getuid === 'function' ? process.getuid() : undefined),
    now: () => Date.now(),
  };
}

/** A runner whose calls fail as "did not answer" after `ms` (the call itself is left to finish on its own). */
export function withDeadline(run: SlurmRunner, ms: number): SlurmRunner {
  return (command, args, options) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SlurmhopError('slurm', `${command} did not answer within ${ms / 1000}s (is slurmctld busy or down?)`)), ms);
      timer.unref();
    });
    return Promise.race([run(command, args, options), deadline]).finally(() => clearTimeout(timer));
  };
}
