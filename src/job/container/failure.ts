// What a container runtime said when it failed, in the runtime's own words:
// the lines that explain the failure (not merely the last ones: unsquashfs ends
// with its counts, enroot puts [INFO] lines first and prints usage on stdout),
// the usual causes with their fix, and the whole output for the job's log.
import { SlurmhopError } from '../../errors.js';
import type { ExecResult } from './runner.js';

/** Lines that state an error, in the forms enroot, its helpers, unsquashfs, Apptainer and Podman use. */
const ERROR_LINE = /^(\[ERROR\]|FATAL:|ERROR:?|Error:?|error:|enroot-[a-z0-9-]+:|create_inode:|mkdir:|unsquashfs:|Unable to |could not |cannot |sh: )/i;
const NOISE = /^(\[INFO\]|INFO:|created \d+ |Parallel unsquashfs|\d+ inodes |$)/;

interface Cause {
  test: RegExp;
  cause: string;
  hint: string;
}

const CAUSES: Cause[] = [
  {
    test: /could not create (character|block) device .*not superuser/,
    cause: "the image's /dev holds device nodes, which only root can create",
    hint: 'rebuild the image without /dev (the runtime mounts the node\'s /dev anyway): e.g. mksquashfs ROOTFS image.sqsh -e dev',
  },
  {
    test: /failed to set capabilities|Operation not permitted.*aufs2ovlfs/,
    cause: "this site's enroot cannot import images as a normal user (it lacks the enroot+caps package)",
    hint: 'import the image where that works (enroot import -o image.sqsh docker://...) and set container = /path/to/image.sqsh',
  },
  {
    test: /mkdir: cannot create directory '[^']*'?: Permission denied/,
    cause: 'the runtime cannot create a directory it needs',
    hint: "the message names it: make it writable for you, or set another in env_setup (enroot's data and cache in your home: ENROOT_DATA_PATH, ENROOT_CACHE_PATH; podman's runtime directory: XDG_RUNTIME_DIR)",
  },
  {
    // podman 3 (Debian 11's 3.0.1) with runc/crun of its time; podman 4.3 and newer run it.
    test: /cannot chown `?\/sys\/fs\/cgroup\/cgroup\.procs`?: Operation not permitted/,
    cause: 'this podman cannot run a rootless container as you (--userns=keep-id) inside the job\'s cgroup (--cgroups=disabled), which slurmhop needs; podman 3 fails so, podman 4.3 and newer do not',
    hint: 'ask the site for podman 4.3 or newer, or use container_runtime = apptainer or enroot',
  },
  {
    test: /returned error code: 40[13]/,
    cause: 'the registry wants credentials',
    hint: 'log in for the runtime first (enroot: ~/.config/enroot/.credentials; apptainer/podman: their login command)',
  },
  {
    test: /returned error code: 404|manifest unknown|not found: manifest|name unknown/,
    cause: 'the registry does not have that image or tag',
    hint: 'check the image name and tag in container = ...',
  },
  {
    test: /Invalid argument: |^Usage: |unknown (flag|shorthand flag|option)/m,
    cause: "the runtime refused slurmhop's command line",
    hint: 'a path the runtime cannot take (e.g. a ":" or whitespace) in container_mounts, the home directory or TMPDIR; otherwise a slurmhop bug: please report it with the job\'s output',
  },
];

export class RuntimeFailed extends SlurmhopError {}

/** The lines worth showing, on one line (the proxy shows the first line of a failure). */
export function explainingLines(result: Pick<ExecResult, 'stdout' | 'stderr'>): string {
  const lines = result.stderr.split('\n').map((l) => l.trim());
  const errors = lines.filter((l) => ERROR_LINE.test(l));
  const chosen = errors.length ? errors : lines.filter((l) => !NOISE.test(l)).slice(-3);
  if (chosen.length) return chosen.slice(0, 4).join(' | ');
  return result.stdout.trim().split('\n')[0]?.trim() ?? '';
}

/** `what` failed: the runtime's own words, the cause when it is a known one, and the whole output kept for the job's log. */
export function runtimeFailed(what: string, result: ExecResult): RuntimeFailed {
  const words = explainingLines(result) || `exit code ${result.exitCode}, no message`;
  const all = `${result.stderr}\n${result.stdout}`;
  const known = CAUSES.find((c) => c.test.test(all));
  const message = `${what} failed: ${words}${known ? ` (${known.cause})` : ''}`;
  const output = [result.stderr.trimEnd(), result.stdout.trimEnd()].filter(Boolean).join('\n');
  return new RuntimeFailed('job-failed', message, known?.hint, output ? `${what}: its whole output:\n${output}` : undefined);
}
