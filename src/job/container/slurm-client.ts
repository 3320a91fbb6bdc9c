// container_slurm: the node's Slurm commands, their libraries, slurm.conf and
// the munge socket, mounted into the container so that sbatch/srun/squeue work
// inside it (the image's glibc must be as new as the node's).
import fs from 'node:fs';
import path from 'node:path';
import { isFile, type Mount } from './mounts.js';
import { onPath } from './runtime.js';

export const SLURM_COMMANDS = ['sbatch', 'srun', 'salloc', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sstat', 'sattach'];
/** Where the commands appear inside the container (images own /usr/bin). */
export const CONTAINER_SLURM_BIN = '/opt/slurmhop/slurm/bin';
const MUNGE_DEFAULT_SOCKET_DIR = '/run/munge';

export interface SlurmClient {
  mounts: Mount[];
  /** Variables the sessions need to find them. */
  env: Record<string, string>;
}

export function slurmClientMounts(env: NodeJS.ProcessEnv, readLibraries: (binary: string) => string[]): SlurmClient {
  const mounts: Mount[] = [];
  const binaries = SLURM_COMMANDS.map((name) => [name, onPath(name, env)] as const).filter((e): e is [string, string] => e[1] !== undefined);
  for (const [name, file] of binaries) mounts.push({ source: fs.realpathSync(file), target: `${CONTAINER_SLURM_BIN}/${name}`, readOnly: true, file: true });
  const libraryDirs = new Set(binaries.flatMap(([, file]) => readLibraries(file)).filter((lib) => /slurm/i.test(lib)).map((lib) => path.dirname(lib)));
  for (const dir of [...libraryDirs].sort()) mounts.push(sameDir(dir));
  const conf = env.SLURM_CONF || ['/etc/slurm/slurm.conf', '/run/slurm/conf/slurm.conf'].find(isFile);
  if (conf) mounts.push(sameDir(path.dirname(conf)));
  const socketDir = conf ? mungeSocketDir(conf) : MUNGE_DEFAULT_SOCKET_DIR;
  if (fs.existsSync(socketDir)) mounts.push({ ...sameDir(socketDir), readOnly: false });
  return { mounts, env: conf ? { SLURM_CONF: conf } : {} };
}

const sameDir = (dir: string): Mount => ({ source: dir, target: dir, readOnly: true, file: false });

/** slurm.conf may point at a munge socket of its own (AuthInfo=socket=...). */
function mungeSocketDir(conf: string): string {
  try {
    const match = /^\s*AuthInfo\s*=.*\bsocket=([^,\s]+)/im.exec(fs.readFileSync(conf, 'utf8'));
    if (match) return path.dirname(match[1]!);
  } catch {
    // unreadable: the default then
  }
  return MUNGE_DEFAULT_SOCKET_DIR;
}

/** Shared libraries a program loads, from `ldd` output. */
export function parseLdd(output: string): string[] {
  return [...output.matchAll(/=>\s*(\/\S+)\s+\(/g)].map((m) => m[1]!);
}
