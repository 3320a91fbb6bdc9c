// Apptainer (or Singularity): `exec` the image with binds; a registry image is
// pulled to a .sif once and reused by later jobs.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { withLock } from '../../state/index.js';
import { dockerReference, type Image } from '../../config/index.js';
import { cacheName, fetchOnce } from './image-cache.js';
import { localStoreImage, refuseLocalStore } from './local-store.js';
import { bindSpec, type ContainerRun, type PrepareInput } from './runner.js';

const PULL_TIMEOUT_MS = 3_600_000;

export async function prepareApptainer(image: Image, input: PrepareInput): Promise<ContainerRun> {
  const local = localStoreImage(image);
  if (local) refuseLocalStore(path.basename(input.program), local);
  if (image.kind === 'sqsh') throw new SlurmhopError('job-failed', `apptainer cannot run a .sqsh image (${image.path})`, 'use container_runtime = enroot');
  const target = image.kind === 'sif' || image.kind === 'directory' ? image.path : await pullOnce(dockerReference(image.ref), input);
  const runtime = path.basename(input.program);
  return {
    runtime: 'apptainer',
    describe: `${runtime} image ${target}`,
    // --cleanenv: sessions get the image's environment plus the job's (see container/environment.ts), not the node's PATH.
    argv: (command) => [input.program, 'exec', '--cleanenv', '--no-home', ...input.mounts.flatMap((m) => ['--bind', bindSpec(m)]), target, ...command],
  };
}

async function pullOnce(ref: string, { program, exec, cacheDir, locksDir, log }: PrepareInput): Promise<string> {
  const name = cacheName(ref);
  const file = path.join(cacheDir, `${name}.sif`);
  const tool = path.basename(program);
  if (fs.existsSync(file)) return file;
  return withLock(
    path.join(locksDir, `${name}.lock`),
    () =>
      fetchOnce(file, `${tool} pull ${ref}`, (partial) => {
        log(`${tool} pulls ${ref} (once: later jobs reuse it)`);
        return exec(program, ['pull', partial, ref], { timeoutMs: PULL_TIMEOUT_MS });
      }),
    { timeoutMs: PULL_TIMEOUT_MS },
  );
}
