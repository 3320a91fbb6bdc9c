// What a profile is, its defaults, and how each config.ini key is read.
import { configError, type IniEntry } from './ini-lines.js';
import { splitShellWords } from './shell-words.js';

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
  container?: string;
  containerRuntime: 'auto' | 'enroot' | 'apptainer' | 'podman' | 'none';
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
}

export const PROFILE_DEFAULTS = {
  containerRuntime: 'auto',
  sbatchArgs: [] as string[],
  pendingTimeout: 300,
  startTimeout: 120,
  idleTimeout: 1800,
} satisfies Partial<Profile>;

type Reader = (profile: Profile, value: string, where: { file: string; line: number }) => void;

const SLURM_TIME = /^(\d+-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|\d+(:\d{1,2}(:\d{1,2})?)?|unlimited|infinite)$/i;
const MEMORY = /^\d+[KMGT]?B?$/i;
const RUNTIMES = ['auto', 'enroot', 'apptainer', 'podman', 'none'] as const;

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

/** Seconds, or a number with s, m or h. */
function duration(field: 'pendingTimeout' | 'startTimeout' | 'idleTimeout', key: string): Reader {
  return (p, v, at) => {
    const m = /^(\d+)\s*([smh]?)$/i.exec(v);
    if (!m) throw configError(at.file, at.line, `${key} must be seconds (e.g. 300, 5m, 1h), not "${v}"`);
    const unit = { '': 1, s: 1, m: 60, h: 3600 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h'];
    p[field] = Number(m[1]) * unit;
  };
}

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
  container: text('container'),
  container_runtime: (p, v, at) => {
    if (!(RUNTIMES as readonly string[]).includes(v)) {
      throw configError(at.file, at.line, `container_runtime "${v}" is not one of ${RUNTIMES.join(', ')}`);
    }
    p.containerRuntime = v as Profile['containerRuntime'];
  },
  env_setup: text('envSetup'),
  sbatch_args: (p, v, at) => {
    const words = splitShellWords(v, at);
    const stray = words.find((w, i) => !w.startsWith('-') && !words[i - 1]?.match(/^-[A-Za-z]$/));
    if (stray !== undefined) {
      throw configError(at.file, at.line, `sbatch_args: "${stray}" is not an sbatch option`, 'write options as --name=value');
    }
    p.sbatchArgs = words;
  },
  pending_timeout: duration('pendingTimeout', 'pending_timeout'),
  start_timeout: duration('startTimeout', 'start_timeout'),
  idle_timeout: duration('idleTimeout', 'idle_timeout'),
  sshd: (p, v, at) => {
    if (!v.startsWith('/')) throw configError(at.file, at.line, `sshd must be an absolute path, not "${v}"`);
    p.sshd = v;
  },
};

export const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export function buildProfile(name: string, entries: IniEntry[], file: string): Profile {
  const profile: Profile = { name, ...PROFILE_DEFAULTS, sbatchArgs: [] };
  for (const entry of entries) {
    const read = PROFILE_KEYS[entry.key];
    if (!read) {
      throw configError(file, entry.line, `unknown key "${entry.key}"`, `known keys: ${Object.keys(PROFILE_KEYS).join(', ')}`);
    }
    if (entry.value === '') continue;
    read(profile, entry.value, { file, line: entry.line });
  }
  return profile;
}
