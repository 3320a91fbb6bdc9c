// enroot: the image becomes a named container once (import, then create) and
// later jobs reuse it; each session runs `enroot start --rw` with the mounts.
// The named container is shared by every job of the user that runs the image,
// so no job ever removes one that is complete: a job removes only a container
// it was creating itself, or one that was left half made (no completion mark)
// and that no running job uses, and only under the image's lock.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import { withLock } from '../../state/index.js';
import { enrootReference, enrootUnmountable, type Image } from '../../config/index.js';
import type { Mount } from './mounts.js';
import { cacheName, fetchOnce } from './image-cache.js';
import { runtimeFailed } from './failure.js';
import { enrootRuntimePath } from './enroot-runtime-path.js';
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
  if (!((await listed()) && marks.complete())) {
    // One job imports and creates; jobs that start meanwhile wait, then use its container.
    await withLock(
      path.join(input.locksDir, `${name}.lock`),
      async () => {
        const there = await listed();
        if (there && marks.complete()) return;
        if (there) {
          // Left half made by a job that was killed while creating it, or made by an older slurmhop.
          if (await marks.inUse(input.jobsAlive)) return;
          input.log(`enroot container ${name} was left half made: making it again`);
          await remove(input, name);
        }
        const squashfs = image.kind === 'sqsh' ? image.path : await importImage(image, name, input);
        input.log(`enroot creates container ${name} from ${squashfs}`);
        const created = await exec(program, ['create', '--name', name, squashfs], { timeoutMs: IMPORT_TIMEOUT_MS });
        if (created.exitCode !== 0) {
          // Ours, and never complete: nobody else can be using it. Left behind if even that fails: the next job sees no completion mark.
          await remove(input, name).catch(() => {});
          throw runtimeFailed(`enroot create ${squashfs}`, created);
        }
        marks.markComplete();
      },
      { timeoutMs: IMPORT_TIMEOUT_MS },
    );
  }
}

async function remove({ program, exec }: PrepareInput, name: string): Promise<void> {
  const removed = await exec(program, ['remove', '--force', name]);
  if (removed.exitCode !== 0) throw runtimeFailed(`enroot remove --force ${name}`, removed);
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

type ContainerMarks = ReturnType<typeof containerMarks>;

/** The marks beside the image cache: the container is complete; which jobs use it. */
function containerMarks(cacheDir: string, name: string) {
  const complete = path.join(cacheDir, `${name}.complete`);
  const users = path.join(cacheDir, `${name}.users`);
  return {
    complete: () => fs.existsSync(complete),
    markComplete: () => {
      fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(complete, `${new Date().toISOString()}\n`, { mode: 0o600 });
    },
    addUser: (jobId: string) => {
      fs.mkdirSync(users, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(users, jobId), '', { mode: 0o600 });
    },
    removeUser: (jobId: string) => fs.rmSync(path.join(users, jobId), { force: true }),
    userFile: (jobId: string) => path.join(users, jobId),
    /** Whether a job that Slurm still runs uses it (a killed job leaves its mark behind). */
    inUse: async (jobsAlive: (ids: string[]) => Promise<Set<string>>) => {
      const ids = fs.existsSync(users) ? fs.readdirSync(users).filter((n) => /^\d+$/.test(n)) : [];
      return ids.length > 0 && (await jobsAlive(ids)).size > 0;
    },
  };
}
