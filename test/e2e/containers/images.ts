// Test images built on the cluster as the test user, without any registry
// (none is reachable): a skeleton root filesystem whose /usr and /etc come from
// the node by bind mounts (container_mounts), so the image has the node's sshd.
import fs from 'node:fs';
import path from 'node:path';
import { chownTree, homeOf, onNode } from '../harness.js';

export const SKELETON_DIRS = ['usr', 'etc', 'home', 'proc', 'dev', 'sys', 'tmp', 'run', 'var/tmp', 'opt'];
const MERGED_USR = ['bin', 'sbin', 'lib', 'lib64'];

/** A user-owned rootfs with a marker file that only the image has. */
export function makeSkeleton(user: string, name: string, marker: string): string {
  const root = path.join(homeOf(user), 'images', name);
  fs.rmSync(root, { recursive: true, force: true });
  for (const dir of SKELETON_DIRS) fs.mkdirSync(path.join(root, dir), { recursive: true });
  for (const link of MERGED_USR) fs.symlinkSync(`usr/${link}`, path.join(root, link));
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(root, 'slurmhop-image'), `${marker}\n`);
  chownTree(user, path.join(homeOf(user), 'images'));
  return root;
}

/**
 * A .sqsh of a skeleton, made on a node as the user with that suite's own
 * mksquashfs (squashfs-tools comes with the nodes' enroot), as a user makes
 * one for enroot.
 */
export async function makeSquashfs(user: string, root: string, file: string, extra: string[] = []): Promise<void> {
  fs.rmSync(file, { force: true });
  const r = await onNode('c1', user, ['mksquashfs', root, file, '-noappend', '-quiet', '-no-progress', ...extra]);
  if (r.exitCode !== 0) throw new Error(`mksquashfs failed: ${r.stderr}${r.stdout}`);
}

/**
 * `podman import` of a skeleton: a real image in the user's own podman storage;
 * `cmd`: its CMD, as images from a registry have one (`podman create` needs it).
 */
export async function podmanImport(user: string, root: string, tag: string, cmd?: string): Promise<void> {
  const change = cmd ? ` --change 'CMD ${cmd}'` : '';
  const r = await onNode('c1', user, ['sh', '-c', `tar -C '${root}' -c . | podman import --quiet${change} - ${tag}`]);
  if (r.exitCode !== 0) throw new Error(`podman import failed: ${r.stderr}`);
}

/**
 * A user's rootless podman storage and runtime state, gone: the suites of the
 * matrix run podman 3 to 5 on the same home, and one podman's database
 * (graph driver, bolt or sqlite) is not another's.
 */
export function resetPodmanStorage(user: string): void {
  const { uid } = fs.statSync(homeOf(user));
  for (const dir of [
    path.join(homeOf(user), '.local/share/containers'),
    path.join(homeOf(user), '.config/containers'),
    `/tmp/podman-run-${uid}`,
    `/tmp/containers-user-${uid}`,
    `/tmp/storage-run-${uid}`,
    `/run/user/${uid}/containers`,
    `/run/user/${uid}/libpod`,
  ]) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
