// Apptainer (or Singularity): `exec` the image with binds; a registry image is
// pulled to a .sif once and reused by later jobs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { withLock } from '../../session/index.js';
import { dockerReference, type Image } from '../../config/index.js';
import { bindSpec, removePartials, runtimeFailed, type ContainerRun, type PrepareInput } from './runner.js';

const PULL_TIMEOUT_MS = 3_600_000;

export async function prepareApptainer(image: Image, input: PrepareInput): Promise<ContainerRun> {
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
  const name = `slurmhop-${crypto.createHash('sha256').update(ref).digest('hex').slice(0, 12)}`;
  const file = path.join(cacheDir, `${name}.sif`);
  if (fs.existsSync(file)) return file;
  await withLock(path.join(locksDir, `${name}.lock`), async () => {
    if (fs.existsSync(file)) return;
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    removePartials(file);
    const partial = `${file}.partial-${process.pid}`;
    log(`${path.basename(program)} pulls ${ref} (once: later jobs reuse it)`);
    const pulled = await exec(program, ['pull', partial, ref], { timeoutMs: PULL_TIMEOUT_MS });
    if (pulled.exitCode !== 0) {
      fs.rmSync(partial, { force: true });
      throw runtimeFailed(`${path.basename(program)} pull ${ref}`, pulled.stderr);
    }
    fs.renameSync(partial, file);
  }, { timeoutMs: PULL_TIMEOUT_MS });
  return file;
}
