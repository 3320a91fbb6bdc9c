// Bind mounts of a container session: the home directory (sessions work on
// the same files as outside), the profile's container_mounts, and with
// container_slurm the node's Slurm client.
import fs from 'node:fs';
import { isFile } from '../../fsutil.js';

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
  /** Whether the source is a file (runtimes that create mount points need to know). */
  file: boolean;
  /** Why it is mounted, for messages: the profile key or what it is. */
  from: string;
}

/** SRC[:DST[:ro|rw]], as config.ini checked it. */
export function parseMount(spec: string): Mount {
  const parts = spec.split(':');
  const readOnly = parts.at(-1) === 'ro';
  if (parts.at(-1) === 'ro' || parts.at(-1) === 'rw') parts.pop();
  const source = parts[0]!;
  return { source, target: parts[1] ?? source, readOnly, file: isFile(source), from: 'container_mounts' };
}

export function homeMount(home: string): Mount {
  return { source: home, target: home, readOnly: false, file: false, from: 'the home directory' };
}

/** Sources that do not exist on this node: a runtime would fail with a less clear message. */
export function missingSources(mounts: Mount[]): string[] {
  return mounts.filter((m) => !fs.existsSync(m.source)).map((m) => m.source);
}
