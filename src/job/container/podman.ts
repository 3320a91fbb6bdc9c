// Rootless Podman: `podman run` on the node's network, as the user, inside the
// job's cgroup. Podman keeps pulled images in its own storage (the cache).
import { dockerReference, type Image } from '../../config/index.js';
import { localStoreImage, refuseLocalStore } from './local-store.js';
import { bindSpec, type ContainerRun, type PrepareInput } from './runner.js';

export async function preparePodman(image: Image, input: PrepareInput): Promise<ContainerRun> {
  const { program, exec } = input;
  const local = localStoreImage(image);
  if (local?.store === 'dockerd') refuseLocalStore('podman', local);
  const source = image.kind === 'directory' ? ['--rootfs', image.path] : [image.kind === 'registry' ? dockerReference(image.ref) : local ? local.ref : (image as { ref: string }).ref];
  return {
    runtime: 'podman',
    describe: `podman ${image.kind === 'directory' ? `rootfs ${image.path}` : `image ${source[0]}`}`,
    argv: (command, name) => [
      program,
      'run',
      '--rm',
      `--name=${name}`,
      // --network host: sshd must listen on the node's address; --userns=keep-id: the user stays who they are;
      // --cgroups=disabled: the container stays in the job's cgroup, so Slurm's limits apply to it.
      '--network=host',
      '--userns=keep-id',
      '--cgroups=disabled',
      '--log-driver=none',
      ...input.mounts.flatMap((m) => ['--volume', bindSpec(m)]),
      `--entrypoint=${command[0]}`,
      ...source,
      ...command.slice(1),
    ],
    // The container's processes are children of conmon, not of `podman run`.
    mainPid: async (name) => {
      const r = await exec(program, ['inspect', '--format', '{{.State.Pid}}', name]);
      const pid = Number(r.stdout.trim());
      return r.exitCode === 0 && pid > 0 ? pid : undefined;
    },
    remove: async (name) => {
      await exec(program, removeArgs(name));
    },
    // conmon keeps the container running when `podman run` is killed.
    leftovers: (name) => [{ run: [program, ...removeArgs(name)] }],
  };
}

const removeArgs = (name: string) => ['rm', '--force', '--ignore', '--time', '2', name];
