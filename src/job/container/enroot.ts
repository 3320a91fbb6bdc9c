// enroot: the image becomes a named container once (import, then create) and
// later jobs reuse it; each session runs `enroot start --rw` with the mounts.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { withLock } from '../../state/index.js';
import { enrootReference, type Image } from '../../config/index.js';
import type { Mount } from './mounts.js';
import { cacheName, fetchOnce } from './image-cache.js';
import { runtimeFailed, type ContainerRun, type PrepareInput } from './runner.js';

const IMPORT_TIMEOUT_MS = 3_600_000;

export async function prepareEnroot(image: Image, input: PrepareInput): Promise<ContainerRun> {
  const { program, exec } = input;
  const name = containerName(image);
  const exists = async () => {
    const listed = await exec(program, ['list']);
    if (listed.exitCode !== 0) throw runtimeFailed('enroot list', listed.stderr);
    return listed.stdout.split('\n').map((l) => l.trim()).includes(name);
  };
  if (!(await exists())) {
    // One job imports, jobs that start meanwhile wait and then reuse its container.
    await withLock(path.join(input.locksDir, `${name}.lock`), async () => {
      if (await exists()) return;
      const squashfs = image.kind === 'sqsh' ? image.path : await importImage(image, name, input);
      input.log(`enroot creates container ${name} from ${squashfs}`);
      const created = await exec(program, ['create', '--name', name, squashfs], { timeoutMs: IMPORT_TIMEOUT_MS });
      if (created.exitCode !== 0) {
        await exec(program, ['remove', '--force', name]);
        throw runtimeFailed(`enroot create ${squashfs}`, created.stderr);
      }
    }, { timeoutMs: IMPORT_TIMEOUT_MS });
  }
  return {
    runtime: 'enroot',
    describe: `enroot container ${name}`,
    argv: (command) => [program, 'start', '--rw', ...input.mounts.flatMap((m) => ['--mount', fstabLine(m)]), name, ...command],
    discard: async () => {
      await exec(program, ['remove', '--force', name]);
    },
  };
}

async function importImage(image: Image, name: string, { program, exec, cacheDir, log }: PrepareInput): Promise<string> {
  const ref = image.kind === 'registry' || image.kind === 'name' ? enrootReference(image.ref) : undefined;
  if (!ref) throw new SlurmhopError('job-failed', `enroot cannot run a ${image.kind} image`);
  return fetchOnce(path.join(cacheDir, `${name}.sqsh`), `enroot import ${ref}`, (partial) => {
    log(`enroot imports ${ref} (once: later jobs reuse it)`);
    return exec(program, ['import', '--output', partial, ref], { timeoutMs: IMPORT_TIMEOUT_MS });
  });
}

/** One name per image (and per version of an image file), so a rebuilt .sqsh is created again. */
export function containerName(image: Image): string {
  const stat = image.kind === 'sqsh' ? fs.statSync(image.path, { throwIfNoEntry: false }) : undefined;
  return cacheName(JSON.stringify([image, stat?.size, stat?.mtimeMs]));
}

/** fstab(5) form, which also carries read-only and what to create as the mount point. */
export function fstabLine(m: Mount): string {
  return `${m.source} ${m.target} none x-create=${m.file ? 'file' : 'dir'},rbind${m.readOnly ? ',ro' : ''}`;
}
