// The cluster's side of an uninstall: the user's slurmhop jobs (listed, and
// cancelled after a yes), then what slurmhop put in the home there: the
// executable, config.ini (kept as a backup), the state directory (job logs,
// history, the job host key). Links are removed as links, never their targets.
import type { RemoteSession } from './remote-session.js';
import { setupError } from './errors.js';

export interface ClusterJob {
  id: string;
  profile: string;
  state: string;
}

/** `remote list --json` there; none when remote is not installed. */
export async function clusterJobs(session: RemoteSession): Promise<ClusterJob[]> {
  const r = await session.sh('[ -x "$HOME/.local/bin/remote" ] || exit 0; cd && exec .local/bin/remote list --json');
  if (r.code !== 0) throw setupError('cluster-step', `"remote list" failed on the cluster: ${r.stderr.trim() || `exit ${r.code}`}`, 'cancel your jobs there yourself (scancel), then run uninstall again');
  const text = r.stdout.trim();
  if (text === '') return [];
  try {
    return (JSON.parse(text.slice(text.indexOf('['))) as ClusterJob[]).map((j) => ({ id: String(j.id), profile: j.profile, state: j.state }));
  } catch {
    throw setupError('cluster-step', `"remote list --json" printed what is not JSON: ${text.slice(0, 200)}`);
  }
}

export async function cancelAll(session: RemoteSession): Promise<string> {
  const r = await session.sh('cd && exec .local/bin/remote cancel --all');
  if (r.code !== 0) throw setupError('cluster-step', `"remote cancel --all" failed on the cluster: ${r.stderr.trim() || `exit ${r.code}`}`, 'nothing was removed; cancel them with scancel, then run uninstall again');
  return r.stdout.trim();
}

export interface RemovedOnCluster {
  removed: string[];
  configBackup?: string | undefined;
}

/** Removes the executable and, unless `keepState`, the state directory; config.ini becomes a backup. */
export async function removeClusterFiles(session: RemoteSession, now: Date, keepState: boolean): Promise<RemovedOnCluster> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const r = await session.sh(
    `set -u
cfg=\${XDG_CONFIG_HOME:-$HOME/.config}/slurmhop/config.ini
state=\${XDG_STATE_HOME:-$HOME/.local/state}/slurmhop
bin=$HOME/.local/bin/remote
if [ -e "$cfg" ] || [ -L "$cfg" ]; then
  b=$cfg.slurmhop-backup-$1
  [ -e "$b" ] && b=$b-$$
  mv -f -- "$cfg" "$b" || exit 3
  echo "backup=$b"
fi
if [ -e "$bin" ] || [ -L "$bin" ]; then rm -f -- "$bin" || exit 3; echo "removed=$bin"; fi
if [ "$2" = no ] && { [ -e "$state" ] || [ -L "$state" ]; }; then rm -rf -- "$state" || exit 3; echo "removed=$state"; fi`,
    [stamp, keepState ? 'yes' : 'no'],
  );
  if (r.code !== 0) throw setupError('cluster-step', `removing slurmhop's files on the cluster failed: ${r.stderr.trim() || `exit ${r.code}`}`, 'see what is left with "ls -la ~/.local/bin ~/.config/slurmhop ~/.local/state/slurmhop" there');
  const lines = r.stdout.split('\n');
  return {
    removed: lines.filter((l) => l.startsWith('removed=')).map((l) => l.slice('removed='.length)),
    configBackup: lines.find((l) => l.startsWith('backup='))?.slice('backup='.length),
  };
}
