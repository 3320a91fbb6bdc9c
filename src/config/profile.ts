// What a profile is, its defaults, and how each config.ini key is read.
import { configError, type IniEntry } from './ini-lines.js';
import { reservedSbatchOption } from './sbatch-args.js';
import { splitShellWords } from './shell-words.js';
import { parseImage, RUNTIMES_FOR_IMAGE } from './container-image.js';
import { checkRenew, readRenew, readRenewMax } from './renew-settings.js';

export interface Profile {
  name: string;
  partition?: string;
  time?: string;
  cpus?: number;
  mem?: string;
  gres?: string;
  constraint?: string;
  account?: string;
  qos?: string;
  nodes?: number;
  /** Shell lines run in the job before sshd starts; sessions inherit the result. */
  envSetup?: string;
  sbatchArgs: string[];
  /** Seconds a job may stay pending before the proxy gives up (and cancels what it submitted). */
  pendingTimeout: number;
  /** Seconds from the job starting to its sshd accepting connections. */
  startTimeout: number;
  /** Seconds without an SSH connection before the job ends itself; 0 = never. */
  idleTimeout: number;
  /** Absolute path of sshd on the compute nodes, when not in a usual place. */
  sshd?: string;
  /** Seconds before the time limit at which every terminal of the session is warned. */
  walltimeWarnings: number[];
  /** Count GPU utilisation (nvidia-smi) as activity for idle_timeout. */
  idleGpu: boolean;
  /**
   * tcp: the login node connects to the job's sshd on the node's network;
   * srun: sshd listens on the node's loopback only, reached through `srun --overlap`;
   * node-sshd: no sshd of our own, the node's port 22 (sites with pam_slurm_adopt).
   */
  transport: Transport;
  /** Image the session runs in: docker://ref, a path (.sqsh, .sif, rootfs directory) or a local image name. */
  container?: string;
  containerRuntime: ContainerRuntimeSetting;
  /** Extra bind mounts into the container, as SRC[:DST[:ro]]; the home directory is always mounted. */
  containerMounts: string[];
  /** Make sbatch, squeue, srun, ... of the node usable inside the container. */
  containerSlurm: boolean;
  /** Seconds before the time limit at which the job of an active session submits its successor; 0 = off. */
  renew: number;
  /** The longest a chain of renewed jobs may run, from the start of its first job (seconds). */
  renewMax: number;
}

/** start_timeout of a profile with a container, unless it sets its own. */
export const CONTAINER_START_TIMEOUT = 1800;

export const TRANSPORTS = ['tcp', 'srun', 'node-sshd'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const CONTAINER_RUNTIMES = ['auto', 'enroot', 'apptainer', 'podman', 'none'] as const;
export type ContainerRuntimeSetting = (typeof CONTAINER_RUNTIMES)[number];

/** Whether a value is one of a setting's words (config.ini, and the job's command line, which config.ini's values become). */
export function isOneOf<T extends string>(value: string, words: readonly T[]): value is T {
  return (words as readonly string[]).includes(value);
}

export const PROFILE_DEFAULTS = {
  sbatchArgs: [] as string[],
  pendingTimeout: 300,
  startTimeout: 120,
  idleTimeout: 1800,
  walltimeWarnings: [600, 120],
  idleGpu: false,
  transport: 'tcp',
  containerRuntime: 'auto',
  containerMounts: [] as string[],
  containerSlurm: false,
  renew: 0,
  renewMax: 24 * 3600,
} satisfies Partial<Profile>;

type Reader = (profile: Profile, value: string, where: { file: string; line: number }) => void;

const SLURM_TIME = /^(\d+-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|\d+(:\d{1,2}(:\d{1,2})?)?|unlimited|infinite)$/i;
const MEMORY = /^\d+[KMGT]?B?$/i;

function text(field: keyof Profile): Reader {
  return (p, v) => {
    (p as unknown as Record<string, unknown>)[field] = v;
  };
}

function positiveInt(field: 'cpus' | 'nodes'): Reader {
  return (p, v, at) => {
    if (!/^[1-9]\d*$/.test(v)) throw configError(at.file, at.line, `${field} must be a whole number of at least 1, not "${v}"`);
    p[field] = Number(v);
  };
}

/** true/false (or yes/no). */
function flag(field: 'idleGpu' | 'containerSlurm', key: string): Reader {
  return (p, v, at) => {
    if (!/^(true|false|yes|no)$/i.test(v)) throw configError(at.file, at.line, `${key} must be true or false, not "${v}"`);
    p[field] = /^(true|yes)$/i.test(v);
  };
}

/** Seconds, or a number with s, m or h. */
function duration(field: 'pendingTimeout' | 'startTimeout' | 'idleTimeout', key: string, minimum: number): Reader {
  return (p, v, at) => {
    const m = /^(\d+)\s*([smh]?)$/i.exec(v);
    if (!m) throw configError(at.file, at.line, `${key} must be seconds (e.g. 300, 5m, 1h), not "${v}"`);
    const unit = { '': 1, s: 1, m: 60, h: 3600 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h'];
    const seconds = Number(m[1]) * unit;
    if (seconds < minimum) throw configError(at.file, at.line, `${key} must be at least ${minimum}s`);
    p[field] = seconds;
  };
}

/** Options slurmhop sets itself: reuse finds jobs by name, and the proxy reads the job's output file. */
const CONTAINER_MOUNT = /^\/[^:,\s]*(:\/[^:,\s]*)?(:ro|:rw)?$/;

const DURATION = /^(\d+)\s*([smh]?)$/i;
const seconds = (m: RegExpExecArray) => Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h'];

export const PROFILE_KEYS: Record<string, Reader> = {
  partition: text('partition'),
  time: (p, v, at) => {
    if (!SLURM_TIME.test(v)) {
      throw configError(at.file, at.line, `time "${v}" is not a Slurm time limit`, 'use minutes, HH:MM:SS or D-HH:MM:SS, e.g. 8:00:00');
    }
    p.time = v;
  },
  cpus: positiveInt('cpus'),
  nodes: positiveInt('nodes'),
  mem: (p, v, at) => {
    if (!MEMORY.test(v)) throw configError(at.file, at.line, `mem "${v}" is not a memory size`, 'use e.g. 16G or 4000M');
    p.mem = v;
  },
  gres: text('gres'),
  constraint: text('constraint'),
  account: text('account'),
  qos: text('qos'),
  container: (p, v, at) => {
    const what = 'give one image: docker://REF, a .sqsh/.sif file or rootfs directory (absolute or ~/ path), or a local image name';
    if (/\s/.test(v)) throw configError(at.file, at.line, `container "${v}" contains a space`, what);
    if (v.startsWith('-')) throw configError(at.file, at.line, `container "${v}" starts with "-"`, what);
    // The login node and the job start in different directories.
    if (/^\.\.?\//.test(v) || (/\.(sqsh|sif)$/i.test(v) && !/^(\/|~\/|docker:\/\/)/.test(v))) throw configError(at.file, at.line, `container "${v}" is a relative path`, 'write it from / or ~/');
    p.container = v;
  },
  container_runtime: (p, v, at) => {
    if (!isOneOf(v, CONTAINER_RUNTIMES)) {
      throw configError(at.file, at.line, `container_runtime "${v}" is not one of ${CONTAINER_RUNTIMES.join(', ')}`);
    }
    p.containerRuntime = v;
  },
  container_mounts: (p, v, at) => {
    const mounts = v.split(',').map((m) => m.trim()).filter(Boolean);
    const spaced = mounts.find((m) => /\s/.test(m));
    if (spaced !== undefined) {
      throw configError(at.file, at.line, `container_mounts: "${spaced}" contains whitespace: slurmhop passes no such path to a container runtime (enroot's --mount cannot carry one)`, 'mount a path without whitespace (a parent directory, or a symbolic link to it)');
    }
    const bad = mounts.find((m) => !CONTAINER_MOUNT.test(m));
    if (bad !== undefined) throw configError(at.file, at.line, `container_mounts: "${bad}" is not SRC[:DST[:ro]] with absolute paths`, 'e.g. container_mounts = /scratch, /data:/data:ro');
    p.containerMounts = mounts;
  },
  container_slurm: flag('containerSlurm', 'container_slurm'),
  env_setup: text('envSetup'),
  sbatch_args: (p, v, at) => {
    const words = splitShellWords(v, at);
    const stray = words.find((w, i) => !w.startsWith('-') && !words[i - 1]?.match(/^-[A-Za-z]$/));
    if (stray !== undefined) {
      throw configError(at.file, at.line, `sbatch_args: "${stray}" is not an sbatch option`, 'write options as --name=value');
    }
    const reserved = reservedSbatchOption(words);
    if (reserved) {
      const readAs = reserved.readAs ? ` (sbatch reads it as ${reserved.readAs})` : '';
      throw configError(at.file, at.line, `sbatch_args: "${reserved.word}"${readAs} cannot be used: ${reserved.why}`, 'remove it from sbatch_args');
    }
    p.sbatchArgs = words;
  },
  pending_timeout: duration('pendingTimeout', 'pending_timeout', 1),
  start_timeout: duration('startTimeout', 'start_timeout', 1),
  idle_timeout: duration('idleTimeout', 'idle_timeout', 0),
  walltime_warnings: (p, v, at) => {
    const parts = v === 'none' ? [] : v.split(/[\s,]+/).filter(Boolean);
    const matches = parts.map((part) => DURATION.exec(part));
    const bad = parts.find((_, i) => !matches[i]);
    if (bad !== undefined) throw configError(at.file, at.line, `walltime_warnings: "${bad}" is not a duration`, 'e.g. walltime_warnings = 10m, 2m (or none)');
    p.walltimeWarnings = matches.map((m) => seconds(m!)).sort((a, b) => b - a);
  },
  idle_gpu: flag('idleGpu', 'idle_gpu'),
  renew: (p, v, at) => {
    p.renew = readRenew(v, at);
  },
  renew_max: (p, v, at) => {
    p.renewMax = readRenewMax(v, at);
  },
  transport: (p, v, at) => {
    if (!isOneOf(v, TRANSPORTS)) throw configError(at.file, at.line, `transport "${v}" is not tcp, srun or node-sshd`);
    p.transport = v;
  },
  sshd: (p, v, at) => {
    if (!v.startsWith('/')) throw configError(at.file, at.line, `sshd must be an absolute path, not "${v}"`);
    p.sshd = v;
  },
};

export { PROFILE_NAME } from '../paths.js';

export function buildProfile(name: string, entries: IniEntry[], file: string): Profile {
  const profile: Profile = { name, ...PROFILE_DEFAULTS, sbatchArgs: [], walltimeWarnings: [...PROFILE_DEFAULTS.walltimeWarnings], containerMounts: [] };
  for (const entry of entries) {
    const read = PROFILE_KEYS[entry.key];
    if (!read) {
      throw configError(file, entry.line, `unknown key "${entry.key}"`, `known keys: ${Object.keys(PROFILE_KEYS).join(', ')}`);
    }
    if (entry.value === '') continue;
    read(profile, entry.value, { file, line: entry.line });
  }
  checkContainer(profile, entries, file);
  checkRenew(profile, entries, file);
  // A first import or pull of an image can take many minutes; later jobs reuse it.
  if (profile.container && profile.containerRuntime !== 'none' && !entries.some((e) => e.key === 'start_timeout')) {
    profile.startTimeout = CONTAINER_START_TIMEOUT;
  }
  return profile;
}

/** Settings that are fine alone but not together, reported at the container line. */
function checkContainer(profile: Profile, entries: IniEntry[], file: string): void {
  if (!profile.container || profile.containerRuntime === 'none') return;
  const line = entries.find((e) => e.key === 'container')?.line ?? entries.find((e) => e.key === 'container_runtime')?.line ?? 0;
  if (profile.transport === 'node-sshd') {
    throw configError(file, line, 'container needs a session sshd of its own, which transport = node-sshd does not start', 'use transport = tcp or srun with a container');
  }
  const { kind } = parseImage(profile.container);
  const runtime = profile.containerRuntime;
  const able = RUNTIMES_FOR_IMAGE[kind];
  if (runtime !== 'auto' && !able.includes(runtime)) {
    const what = kind === 'sqsh' || kind === 'sif' ? `a .${kind} image` : `a ${kind} image`;
    throw configError(file, line, `container_runtime = ${runtime} cannot run ${what} (${profile.container})`, `use container_runtime = ${able.join(' or ')} (or auto)`);
  }
}
