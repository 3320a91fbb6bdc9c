// The cluster's side of an uninstall: the user's slurmhop jobs (listed, and
// cancelled after a yes), then what slurmhop put there: remote's layout under
// its root (install-layout.ts: the front, the executable's directory, and the
// root itself when setup made it for remote and it is left empty), config.ini
// (kept as a backup), the state directory (job logs, history, the job host
// key). Links are removed as links, never their targets. `front`: where the
// cluster's ssh config block runs remote (relative to the home, or absolute).
import path from 'node:path';
import { DEFAULT_ROOT, EXECUTABLE_IN_ROOT, FRONT_IN_ROOT, rootOfFront } from '../install-layout.js';
import type { RemoteSession } from './remote-session.js';
import { setupError } from './errors.js';

export interface ClusterJob {
  id: string;
  profile: string;
  state: string;
}

/** The executable beside a front in the layout (the front alone where it is not in one). */
const executableBeside = (front: string) => {
  const root = rootOfFront(front);
  return root ? path.posix.join(root, EXECUTABLE_IN_ROOT) : front;
};

/** `remote list --json` there; none when remote is not installed, or only half (the front without its executable: no jobs to ask it about). */
export async function clusterJobs(session: RemoteSession, front: string): Promise<ClusterJob[]> {
  const r = await session.sh('cd && { [ -x "$1" ] && [ -x "$2" ] || exit 0; } && exec "$1" list --json', [front, executableBeside(front)]);
  if (r.code === 127) return [];
  if (r.code !== 0) throw setupError('cluster-step', `"remote list" failed on the cluster: ${r.stderr.trim() || `exit ${r.code}`}`, 'cancel your jobs there yourself (scancel), then run uninstall again');
  const text = r.stdout.trim();
  if (text === '') return [];
  try {
    return (JSON.parse(text.slice(text.indexOf('['))) as ClusterJob[]).map((j) => ({ id: String(j.id), profile: j.profile, state: j.state }));
  } catch {
    throw setupError('cluster-step', `"remote list --json" printed what is not JSON: ${text.slice(0, 200)}`);
  }
}

export async function cancelAll(session: RemoteSession, front: string): Promise<string> {
  const r = await session.sh('cd && exec "$1" cancel --all', [front]);
  if (r.code !== 0) throw setupError('cluster-step', `"remote cancel --all" failed on the cluster: ${r.stderr.trim() || `exit ${r.code}`}`, 'nothing was removed; cancel them with scancel, then run uninstall again');
  return r.stdout.trim();
}

export interface RemovedOnCluster {
  removed: string[];
  configBackup?: string | undefined;
}

/** Removes remote's layout and, unless `keepState`, the state directory; config.ini becomes a backup. */
export async function removeClusterFiles(session: RemoteSession, now: Date, keepState: boolean, front: string): Promise<RemovedOnCluster> {
  const root = rootOfFront(front) ?? DEFAULT_ROOT;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const r = await session.sh(
    `set -u
cfg=\${XDG_CONFIG_HOME:-$HOME/.config}/slurmhop/config.ini
state=\${XDG_STATE_HOME:-$HOME/.local/state}/slurmhop
root=$3
case $root in /*) ;; *) root=$HOME/$root ;; esac
bin=$root/${FRONT_IN_ROOT}
lib=$root/${path.posix.dirname(EXECUTABLE_IN_ROOT)}
if [ -e "$cfg" ] || [ -L "$cfg" ]; then
  b=$cfg.slurmhop-backup-$1
  [ -e "$b" ] && b=$b-$$
  mv -f -- "$cfg" "$b" || exit 3
  echo "backup=$b"
fi
if [ -e "$bin" ] || [ -L "$bin" ]; then rm -f -- "$bin" || exit 3; echo "removed=$bin"; fi
if [ -L "$lib" ]; then rm -f -- "$lib" || exit 3; echo "removed=$lib"
elif [ -d "$lib" ]; then rm -rf -- "$lib" || exit 3; echo "removed=$lib"; fi
# A root setup made for remote (--install-dir, or one it chose) goes when nothing else is in it.
[ "$4" = default ] || { rmdir "\${lib%/*}" "\${bin%/*}" 2>/dev/null; rmdir "$root" 2>/dev/null && echo "removed=$root"; }
if [ "$2" = no ] && { [ -e "$state" ] || [ -L "$state" ]; }; then rm -rf -- "$state" || exit 3; echo "removed=$state"; fi`,
    [stamp, keepState ? 'yes' : 'no', root, root === DEFAULT_ROOT ? 'default' : 'own'],
  );
  if (r.code !== 0) throw setupError('cluster-step', `removing slurmhop's files on the cluster failed: ${r.stderr.trim() || `exit ${r.code}`}`, `see what is left with "ls -la ${root}/bin ${root}/lib ~/.config/slurmhop ~/.local/state/slurmhop" there`);
  const lines = r.stdout.split('\n');
  return {
    removed: lines.filter((l) => l.startsWith('removed=')).map((l) => l.slice('removed='.length)),
    configBackup: lines.find((l) => l.startsWith('backup='))?.slice('backup='.length),
  };
}
