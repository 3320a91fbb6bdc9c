// A profile's container, as the job receives it on its command line.
export interface ContainerSettings {
  /** docker://REF, a .sqsh or .sif file, a rootfs directory, or a local image name. */
  image: string;
  runtime: 'auto' | 'enroot' | 'apptainer' | 'podman';
  /** SRC[:DST[:ro]], besides the home directory (always mounted). */
  mounts: string[];
  /** Bind the node's Slurm client commands, configuration and munge socket. */
  slurm: boolean;
}
