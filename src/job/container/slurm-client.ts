// container_slurm: the node's Slurm commands, their libraries and plugins,
// slurm.conf and the munge socket, mounted into the container so that sbatch,
// srun and squeue work inside it (the image's C library must be as new as the
// node's). Directories are mounted only where they are Slurm's own; a library
// in a shared directory (/usr/lib64/libslurm.so.NN) is mounted as one file, so
// the image keeps its own /usr/lib64.
import fs from 'node:fs';
import path from 'node:path';
import { findOnPath, isDirectory, isFile } from '../../fsutil.js';
import type { Mount } from './mounts.js';

export const SLURM_COMMANDS = ['sbatch', 'srun', 'salloc', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'sstat', 'sattach'];
/** Where the commands appear inside the container (images own /usr/bin). */
export const CONTAINER_SLURM_BIN = '/opt/slurmhop/slurm/bin';
const MUNGE_DEFAULT_SOCKET_DIR = '/run/munge';
const CONF_CANDIDATES = ['/etc/slurm/slurm.conf', '/run/slurm/conf/slurm.conf'];

export interface SlurmClient {
  mounts: Mount[];
  /** Variables the sessions need to find them. */
  env: Record<string, string>;
}

/** `readLibraries(file)`: the shared libraries a program or plugin loads (ldd). */
export async function slurmClientMounts(env: NodeJS.ProcessEnv, readLibraries: (file: string) => Promise<string[]>): Promise<SlurmClient> {
  const mounts = new Map<string, Mount>();
  const add = (m: Mount) => mounts.set(m.target, m);
  const binaries = SLURM_COMMANDS.map((name) => [name, findOnPath(name, env)] as const).filter((e): e is [string, string] => e[1] !== undefined);
  for (const [name, file] of binaries) add({ source: fs.realpathSync(file), target: `${CONTAINER_SLURM_BIN}/${name}`, readOnly: true, file: true, from: 'container_slurm' });

  const conf = env.SLURM_CONF || CONF_CANDIDATES.find(isFile);
  const settings = conf ? readSlurmConf(conf) : {};
  if (conf) add(sameDir(path.dirname(conf)));

  const libraries = (await Promise.all(binaries.map(([, file]) => readLibraries(file)))).flat().filter((lib) => /slurm/i.test(lib));
  const pluginDirs = (settings.pluginDir?.split(':') ?? [...new Set(libraries.map((lib) => path.join(path.dirname(lib), 'slurm')))]).filter(isDirectory);
  // The munge plugin is loaded at run time, so ldd of the commands does not name libmunge.
  const mungePlugins = pluginDirs.map((dir) => path.join(dir, 'auth_munge.so')).filter(isFile);
  const munge = (await Promise.all(mungePlugins.map(readLibraries))).flat().filter((lib) => /munge/i.test(lib));
  for (const lib of new Set([...libraries, ...munge])) {
    add(/slurm/i.test(path.basename(path.dirname(lib))) ? sameDir(path.dirname(lib)) : { source: lib, target: lib, readOnly: true, file: true, from: 'container_slurm' });
  }
  for (const dir of pluginDirs) add(sameDir(dir));

  const socketDir = settings.mungeSocket ? path.dirname(settings.mungeSocket) : MUNGE_DEFAULT_SOCKET_DIR;
  if (fs.existsSync(socketDir)) add({ ...sameDir(socketDir), readOnly: false });
  return { mounts: [...mounts.values()], env: conf ? { SLURM_CONF: conf } : {} };
}

const sameDir = (dir: string): Mount => ({ source: dir, target: dir, readOnly: true, file: false, from: 'container_slurm' });

/** The two settings that say where the client's pieces are. */
function readSlurmConf(conf: string): { pluginDir?: string; mungeSocket?: string } {
  let text = '';
  try {
    text = fs.readFileSync(conf, 'utf8');
  } catch {
    return {};
  }
  const pluginDir = /^\s*PluginDir\s*=\s*(\S+)/im.exec(text)?.[1];
  const mungeSocket = /^\s*AuthInfo\s*=.*\bsocket=([^,\s]+)/im.exec(text)?.[1];
  return { ...(pluginDir ? { pluginDir } : {}), ...(mungeSocket ? { mungeSocket } : {}) };
}

/** Shared libraries a program loads, from `ldd` output. */
export function parseLdd(output: string): string[] {
  return [...output.matchAll(/=>\s*(\/\S+)\s+\(/g)].map((m) => m[1]!);
}
