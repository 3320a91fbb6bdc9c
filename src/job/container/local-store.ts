// `container = podman://IMAGE` or `dockerd://IMAGE`: an image in the user's
// Podman storage or the node's Docker daemon, as `enroot import` spells them
// (the one import that needs no registry). Podman runs one of its own as is.
import fs from 'node:fs';
import path from 'node:path';
import { SlurmhopError } from '../../errors.js';
import type { Image } from '../../config/index.js';

export interface LocalStoreImage {
  store: 'podman' | 'dockerd';
  /** IMAGE[:TAG], without the scheme. */
  ref: string;
}

export function localStoreImage(image: Image): LocalStoreImage | undefined {
  if (image.kind !== 'name') return undefined;
  const m = /^(podman|dockerd):\/\/(.+)$/.exec(image.ref);
  return m ? { store: m[1] as LocalStoreImage['store'], ref: m[2]! } : undefined;
}

/** A runtime that cannot read that store says so, with what works. */
export function refuseLocalStore(runtime: string, local: LocalStoreImage): never {
  throw new SlurmhopError(
    'job-failed',
    `${runtime} cannot run ${local.store}://${local.ref}: it does not read ${local.store === 'podman' ? "Podman's storage" : "the Docker daemon's images"}`,
    local.store === 'podman' ? 'use container_runtime = enroot (enroot import podman://...) or podman' : 'use container_runtime = enroot (enroot import dockerd://...)',
  );
}

/**
 * What `enroot import podman://` (4.1.2) needs around it, for that call only:
 * - enroot exports XDG_RUNTIME_DIR=/run when it has none (enroot.in), which
 *   rootless podman refuses ("XDG_RUNTIME_DIR directory "/run" is not owned by
 *   the current user"): without one, the import gets the directory podman
 *   chooses itself then (/run/user/UID where that is the user's, else
 *   ${TMPDIR:-/tmp}/podman-run-UID), so it sees the same state as the user's
 *   other podman commands on the node;
 * - enroot extracts the image through a podman container and removes it on its
 *   way out with `docker rm`, run in the temporary directory it has just
 *   deleted (docker.sh, docker::daemon::import's EXIT trap): without a docker
 *   that reaches podman from there, the import fails after writing a whole
 *   image (exit 1, no message) and the container stays in the user's storage.
 *   A `docker` of the job's own goes first on PATH: podman, run from /.
 */
export function podmanImportEnv(env: NodeJS.ProcessEnv, tmpDir: string, jobId: string): { env: Record<string, string>; done(): void } {
  const bin = fs.mkdtempSync(path.join(tmpDir, `slurmhop-enroot-${jobId}-import-`));
  fs.writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\ncd / && exec podman "$@"\n', { mode: 0o700 });
  return {
    env: { PATH: `${bin}:${env.PATH ?? '/usr/bin:/bin'}`, ...(env.XDG_RUNTIME_DIR ? {} : { XDG_RUNTIME_DIR: podmanOwnRuntimeDir(env) }) },
    done: () => fs.rmSync(bin, { recursive: true, force: true }),
  };
}

function podmanOwnRuntimeDir(env: NodeJS.ProcessEnv): string {
  const uid = process.getuid?.() ?? 0;
  const owned = (dir: string) => {
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    return st?.isDirectory() === true && st.uid === uid && (st.mode & 0o700) === 0o700;
  };
  const logind = `/run/user/${uid}`;
  if (owned(logind)) return logind;
  const tmp = path.join(env.TMPDIR || '/tmp', `podman-run-${uid}`);
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  return tmp;
}
