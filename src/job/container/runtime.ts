// Which container runtime runs the session: the one the profile names, or
// with `auto` the first one on this node that can run the image.
import fs from 'node:fs';
import { SlurmhopError } from '../../errors.js';
import { findOnPath } from '../../fsutil.js';
import { RUNTIMES_FOR_IMAGE, type ContainerRuntimeName, type Image } from '../../config/index.js';
import type { ContainerSettings } from './settings.js';

export type RuntimeName = ContainerRuntimeName;

export interface FoundRuntime {
  name: RuntimeName;
  /** Absolute path of the program (apptainer may be installed as singularity). */
  program: string;
}

const PROGRAMS: Record<RuntimeName, string[]> = { enroot: ['enroot'], apptainer: ['apptainer', 'singularity'], podman: ['podman'] };

export function chooseRuntime(settings: ContainerSettings, image: Image, env: NodeJS.ProcessEnv, node: string): FoundRuntime {
  const candidates = settings.runtime === 'auto' ? RUNTIMES_FOR_IMAGE[image.kind] : [settings.runtime];
  if (!RUNTIMES_FOR_IMAGE[image.kind].includes(candidates[0]!)) {
    throw new SlurmhopError('job-failed', `container_runtime = ${settings.runtime} cannot run ${settings.image} (a ${image.kind} image)`, `runtimes that can: ${RUNTIMES_FOR_IMAGE[image.kind].join(', ')}`);
  }
  for (const name of candidates) {
    const program = PROGRAMS[name].map((p) => findOnPath(p, env)).find(Boolean);
    if (program) return { name, program };
  }
  const wanted = candidates.flatMap((n) => PROGRAMS[n]).join(' or ');
  throw new SlurmhopError(
    'job-failed',
    `no container runtime on node ${node}: ${wanted} is not on PATH`,
    settings.runtime === 'auto' ? 'load it in env_setup (e.g. module load apptainer), or ask for nodes that have one (constraint)' : `load ${settings.runtime} in env_setup, or choose another container_runtime`,
  );
}

/**
 * sbatch passes the login session's XDG_RUNTIME_DIR (/run/user/UID, made by
 * systemd-logind there) to the job, where it usually does not exist: podman
 * fails to create it (enroot's default runtime path is under it too).
 * Without it, each runtime uses a directory of its own.
 */
export function dropMissingRuntimeDir(env: NodeJS.ProcessEnv, log: (message: string) => void): void {
  const dir = env.XDG_RUNTIME_DIR;
  if (!dir) return;
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    log(`XDG_RUNTIME_DIR ${dir} does not exist on this node: the container runtime uses its own runtime directory`);
    delete env.XDG_RUNTIME_DIR;
  }
}
