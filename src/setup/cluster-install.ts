// Install the executable for the login node as ~/.local/bin/remote: SFTP to a
// temporary name, checksum checked on the cluster, made executable, renamed
// into place (so a running `remote proxy` keeps its old file); skipped when
// the same bytes are already there.
import crypto from 'node:crypto';
import path from 'node:path';
import type { ClusterFacts } from './cluster-probe.js';
import { setupError } from './errors.js';
import { removedIfInterrupted } from './interrupt.js';
import type { LocalBinary } from './remote-binary.js';
import type { RemoteSession } from './remote-session.js';

export async function installBinary(session: RemoteSession, facts: ClusterFacts, binary: LocalBinary, progress: (msg: string) => void): Promise<'installed' | 'unchanged'> {
  if (facts.installedSha256 === binary.sha256) return 'unchanged';
  requireExec(facts);
  const tmp = `.local/bin/.remote.slurmhop-upload-${crypto.randomBytes(4).toString('hex')}`;
  let lastShown = -1;
  const mk = await session.sh('mkdir -p "$HOME/.local/bin"');
  if (mk.code !== 0) throw setupError('cluster-step', `cannot create ~/.local/bin on the cluster: ${mk.stderr.trim()}`);
  const r = await removedIfInterrupted(
    async () => {
      await session.sh('rm -f "$1"', [tmp]);
    },
    async () => {
      try {
        await session.upload(binary.file, tmp, (done, total) => {
          const pct = Math.floor((done / total) * 100);
          if (pct !== lastShown) progress(`uploading ${path.basename(binary.file)}: ${pct}% of ${Math.round(total / 2 ** 20)} MB`);
          lastShown = pct;
        });
      } catch (err) {
        await session.sh('rm -f "$1"', [tmp]);
        throw setupError('cluster-step', `uploading ${binary.file} to the login node failed: ${(err as Error).message}`, 'is your home directory full or over quota? (quota -s, df -h ~)');
      }
      return session.sh(
        `got=$(sha256sum "$1" | cut -d' ' -f1)
if [ "$got" != "$2" ]; then rm -f "$1"; echo "checksum mismatch: $got" >&2; exit 3; fi
chmod 755 "$1" && mv -f "$1" .local/bin/remote`,
        [tmp, binary.sha256],
      );
    },
  );
  if (r.code !== 0) {
    throw setupError('cluster-step', `installing ~/.local/bin/remote failed: ${r.stderr.trim() || `exit ${r.code}`}`, 'run setup again; if it persists, check the free space in your home (df -h ~)');
  }
  return 'installed';
}

export function requireExec(facts: ClusterFacts): void {
  if (!facts.canExec) {
    throw setupError(
      'cluster-unsupported',
      `your home directory on the login node (${facts.home}) is mounted noexec: ~/.local/bin/remote could not run`,
      'ask your cluster\'s administrators for a home (or ~/.local) that allows executables; nothing was installed',
    );
  }
}

/** `remote --version` through the login shell, as the ProxyCommand will run it. */
export async function installedVersion(session: RemoteSession): Promise<string> {
  const r = await session.sh('cd && exec .local/bin/remote --version');
  if (r.code !== 0) {
    const denied = /permission denied/i.test(r.stderr);
    throw setupError(
      'cluster-unsupported',
      `~/.local/bin/remote does not run on the login node: ${r.stderr.trim() || `exit ${r.code}`}`,
      denied ? 'your home is probably mounted noexec: ask your administrators' : 'is the login node Linux with glibc 2.28 or newer? (getconf GNU_LIBC_VERSION)',
    );
  }
  return r.stdout.trim();
}
