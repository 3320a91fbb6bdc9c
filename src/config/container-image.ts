// What a profile's `container` value names: a registry reference, an image
// file, a rootfs directory, or an image the runtime already has by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Image =
  | { kind: 'registry'; ref: string }
  | { kind: 'sqsh'; path: string }
  | { kind: 'sif'; path: string }
  | { kind: 'directory'; path: string }
  | { kind: 'name'; ref: string };

export function parseImage(value: string, home = os.homedir()): Image {
  if (value.startsWith('docker://')) return { kind: 'registry', ref: value.slice('docker://'.length) };
  if (!isPath(value)) return { kind: 'name', ref: value };
  const file = path.resolve(value.startsWith('~/') ? path.join(home, value.slice(2)) : value);
  if (/\.sqsh$/i.test(file)) return { kind: 'sqsh', path: file };
  if (/\.sif$/i.test(file)) return { kind: 'sif', path: file };
  return { kind: 'directory', path: file };
}

export type ContainerRuntimeName = 'enroot' | 'apptainer' | 'podman';

/** Runtimes that can run each kind of image, in the order `auto` tries them. */
export const RUNTIMES_FOR_IMAGE: Record<Image['kind'], ContainerRuntimeName[]> = {
  registry: ['enroot', 'apptainer', 'podman'],
  name: ['enroot', 'podman', 'apptainer'],
  sqsh: ['enroot'],
  sif: ['apptainer'],
  directory: ['podman', 'apptainer'],
};

const isPath = (value: string) => value.startsWith('/') || value.startsWith('~/') || /\.(sqsh|sif)$/i.test(value);

/** enroot spells a registry host with `#` (docker://nvcr.io#nvidia/pytorch:24.01-py3). */
export function enrootReference(ref: string): string {
  if (ref.includes('#')) return `docker://${ref}`;
  const [first, ...rest] = ref.split('/');
  const isRegistryHost = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  return `docker://${isRegistryHost ? `${first}#${rest.join('/')}` : ref}`;
}

/** The same reference as Apptainer and Podman spell it. */
export function dockerReference(ref: string): string {
  return `docker://${ref.replace('#', '/')}`;
}

/**
 * Checked on the login node before anything is submitted, and again on the
 * node: an image file or directory that is not there (home directories are
 * shared with the nodes).
 */
export function containerImageProblem(profile: { name: string; container?: string | undefined; containerRuntime: string }, home = os.homedir()): string | undefined {
  if (!profile.container || profile.containerRuntime === 'none') return undefined;
  return imageFileProblem(parseImage(profile.container, home));
}

export function imageFileProblem(image: Image): string | undefined {
  if (!('path' in image)) return undefined;
  try {
    const stat = fs.statSync(image.path);
    if (image.kind === 'directory' ? !stat.isDirectory() : !stat.isFile()) return `${image.path} is not a ${image.kind === 'directory' ? 'directory' : 'file'}`;
    fs.accessSync(image.path, fs.constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${image.path} does not exist` : `${image.path} cannot be read (${(err as NodeJS.ErrnoException).code})`;
  }
}

/**
 * enroot's --mount takes fstab fields separated by colons and refuses any
 * whitespace (enroot 4.1.2, src/runtime.sh): a path with either cannot be
 * mounted by it at all. Undefined when the path is fine.
 */
export function enrootUnmountable(p: string): string | undefined {
  if (p.includes(':')) return 'contains ":"';
  if (/\s/.test(p)) return 'contains whitespace';
  return undefined;
}

/**
 * Checked on the login node for a profile that can only run with enroot (a
 * .sqsh image, or container_runtime = enroot): the home directory is always
 * mounted, so it must be a path enroot can mount. (container_mounts cannot hold
 * such paths: config.ini refuses them.)
 */
export function enrootHomeProblem(profile: { container?: string | undefined; containerRuntime: string }, home = os.homedir()): string | undefined {
  if (!profile.container || profile.containerRuntime === 'none') return undefined;
  const onlyEnroot = profile.containerRuntime === 'enroot' || (profile.containerRuntime === 'auto' && parseImage(profile.container, home).kind === 'sqsh');
  const why = onlyEnroot ? enrootUnmountable(home) : undefined;
  return why && `your home directory ${home} ${why}, which enroot's --mount cannot carry (the home directory is always mounted)`;
}
