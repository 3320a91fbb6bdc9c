// enroot: the image becomes a named container once (import, then create) and
// later jobs reuse it; each session runs `enroot start --rw` with the mounts.
// The named container is shared by every job of the user that runs the image,
// and what was changed in it (--rw) is the user's. So a job removes only a
// container whose creation this code recorded as started (enroot-marks.ts)
// and never saw complete, when no running job uses it, under the image's
// lock. A container of that name that nothing records (the state directory
// moved aside or deleted, an older slurmhop) is kept and used as found.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { withLock } from '../../state/index.js';
import { enrootReference, enrootUnmountable, type Image } from '../../config/index.js';
import type { Mount } from './mounts.js';
import { cacheName, fetchOnce } from './image-cache.js';
import { runtimeFailed } from './failure.js';
import { containerMarks, type ContainerMarks } from './enroot-marks.js';
import { enrootRuntimePath } from './enroot-runtime-path.js';
import { localStoreImage, podmanImportEnv } from './local-store.js';
import type { ContainerRun, PrepareInput } from './runner.js';

const IMPORT_TIMEOUT_MS = 3_600_000;

export async function prepareEnroot(image: Image, input: PrepareInput): Promise<ContainerRun> {
  const { program } = input;
  refuseUnmountable(input.mounts);
  const runtimePath = await enrootRuntimePath(input);
  const name = containerName(image);
  const marks = containerMarks(input.cacheDir, name);
  try {
    await makeReady(image, name, marks, input);
  } catch (err) {
    await runtimePath.release();
    throw err;
  }
  await marks.forgetEndedUsers(input.jobsAlive);
  marks.addUser(input.jobId);
  return {
    runtime: 'enroot',
    describe: `enroot container ${name}`,
    argv: (command) => [program, 'start', '--rw', ...input.mounts.flatMap((m) => ['--mount', fstabEntry(m)]), name, ...command],
    release: async () => {
      marks.removeUser(input.jobId);
      await runtimePath.release();
    },
    leftovers: () => [marks.userFile(input.jobId), ...runtimePath.paths].map((remove) => ({ remove })),
    brokenHint: `the container ${name} is kept across jobs with whatever was changed in it; if it is what is broken, remove it by hand (enroot remove ${name}): the next job makes it again from the image`,
  };
}

/** The named container, complete: imported and created once, or already there. */
async function makeReady(image: Image, name: string, marks: ContainerMarks, input: PrepareInput): Promise<void> {
  const { program, exec } = input;
  const listed = async () => {
    const list = await exec(program, ['list']);
    if (list.exitCode !== 0) throw runtimeFailed('enroot list', list);
    return list.stdout.split('\n').map((l) => l.trim()).includes(name);
  };
  if ((await listed()) && marks.complete()) return;
  // One job imports and creates; jobs that start meanwhile wait, then use its container.
  await withLock(
    path.join(input.locksDir, `${name}.lock`),
    async () => {
      const there = await listed();
      if (there && marks.complete()) return;
      if (there && !marks.creating()) {
        input.log(`enroot container ${name} is there but slurmhop has no record of making it (its state directory was moved or removed, or an older slurmhop made it): kept and used as it is`);
        marks.markComplete('found');
        return;
      }
      if (there) {
        // Recorded as started here and never completed: a job killed while creating it.
        if (await marks.inUse(input.jobsAlive)) return;
        input.log(`enroot container ${name} was left half made by an earlier job: making it again`);
        await remove(input, name);
        marks.forgetCreating();
      }
      const squashfs = image.kind === 'sqsh' ? image.path : await importImage(image, name, input);
      input.log(`enroot creates container ${name} from ${squashfs}`);
      marks.startCreating(input.jobId);
      const created = await exec(program, ['create', '--name', name, squashfs], { timeoutMs: IMPORT_TIMEOUT_MS });
      if (created.exitCode !== 0) {
        // Recorded as ours and never complete: nobody else can be using it. If even the removal fails, the mark stays for the next job.
        await remove(input, name).then(marks.forgetCreating, () => {});
        throw runtimeFailed(`enroot create ${squashfs}`, created);
      }
      marks.markComplete('created');
    },
    { timeoutMs: IMPORT_TIMEOUT_MS },
  );
}

async function remove({ program, exec }: PrepareInput, name: string): Promise<void> {
  const removed = await exec(program, ['remove', '--force', name]);
  if (removed.exitCode !== 0) throw runtimeFailed(`enroot remove --force ${name}`, removed);
}

async function importImage(image: Image, name: string, { program, exec, env, tmpDir, jobId, cacheDir, log }: PrepareInput): Promise<string> {
  const local = localStoreImage(image);
  const ref = local ? `${local.store}://${local.ref}` : image.kind === 'registry' || image.kind === 'name' ? enrootReference(image.ref) : undefined;
  if (!ref) throw new SlurmhopError('job-failed', `enroot cannot run a ${image.kind} image`);
  return fetchOnce(path.join(cacheDir, `${name}.sqsh`), `enroot import ${ref}`, async (partial) => {
    log(`enroot imports ${ref} (once: later jobs reuse it)`);
    const around = local?.store === 'podman' ? podmanImportEnv(env, tmpDir, jobId) : undefined;
    try {
      return await exec(program, ['import', '--output', partial, ref], { timeoutMs: IMPORT_TIMEOUT_MS, ...(around ? { env: around.env } : {}) });
    } finally {
      around?.done();
    }
  });
}

/** One name per image (and per version of an image file), so a rebuilt .sqsh is created again. */
export function containerName(image: Image): string {
  const stat = image.kind === 'sqsh' ? fs.statSync(image.path, { throwIfNoEntry: false }) : undefined;
  return cacheName(JSON.stringify([image, stat?.size, stat?.mtimeMs]));
}

/**
 * enroot's --mount: fstab(5) fields separated by colons (whitespace refused,
 * enroot 4.1.2 src/runtime.sh), which also carries read-only and what to
 * create as the mount point.
 */
export function fstabEntry(m: Mount): string {
  return `${m.source}:${m.target}:none:x-create=${m.file ? 'file' : 'dir'},rbind${m.readOnly ? ',ro' : ''}`;
}

function refuseUnmountable(mounts: Mount[]): void {
  for (const m of mounts) {
    for (const p of [m.source, m.target]) {
      const why = enrootUnmountable(p);
      if (why) {
        throw new SlurmhopError('job-failed', `enroot cannot mount ${p} (${m.from}): the path ${why}, which enroot's --mount cannot carry`, m.from === 'container_mounts' ? 'choose a path without ":" or whitespace in container_mounts' : 'use container_runtime = apptainer or podman for this profile');
      }
    }
  }
}
