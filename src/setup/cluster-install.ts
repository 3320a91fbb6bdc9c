// Install remote on the login node in its layout (install-layout.ts) under
// the chosen root (install-place.ts): the executable as lib/slurmhop/remote,
// then the front as bin/remote, in directories only the user can write
// (install-safety.ts), made without following a link. Each file: SFTP to a temporary name beside
// its place, checksum checked on the cluster, made executable, renamed into
// place (a running `remote proxy` keeps its old file); skipped when the same
// bytes are already there. The e2e harness puts files in place with the same
// script (PLACE_FILES).
import crypto from 'node:crypto';
import path from 'node:path';
import { EXECUTABLE_IN_ROOT, FRONT_IN_ROOT } from '../install-layout.js';
import { setupError } from './errors.js';
import type { InstallPlace } from './install-place.js';
import { MAKE_ROOT, UNSAFE_FIX } from './install-safety.js';
import { removedIfInterrupted } from './interrupt.js';
import type { LocalBinary } from './remote-binary.js';
import type { RemoteSession } from './remote-session.js';

/**
 * sh: `PLACE_FILES TMP SHA256 DEST ...`: each uploaded TMP, if its checksum
 * is SHA256, made executable and renamed to DEST (in order: the executable
 * before the front that runs it); a mismatch removes it and stops.
 */
export const PLACE_FILES = `set -u
while [ $# -ge 3 ]; do
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then rm -f "$1"; echo "checksum mismatch for $3: $got" >&2; exit 3; fi
  chmod 755 "$1" && mv -f "$1" "$3" || exit 3
  shift 3
done`;

export interface RemoteFiles {
  executable: LocalBinary;
  front: LocalBinary;
}

/** The checksums of what is installed under the root now (undefined: missing). */
export async function installedSums(session: RemoteSession, place: InstallPlace): Promise<{ executable?: string; front?: string }> {
  const r = await session.sh('cd && for f in "$1" "$2"; do if [ -f "$f" ]; then sha256sum "$f" | cut -d" " -f1; else echo -; fi; done', [place.executable, place.front]);
  const [executable, front] = r.stdout.trim().split('\n').map((l) => (/^[0-9a-f]{64}$/.test(l.trim()) ? l.trim() : undefined));
  return { ...(executable ? { executable } : {}), ...(front ? { front } : {}) };
}

export async function installRemote(session: RemoteSession, place: InstallPlace, files: RemoteFiles, progress: (msg: string) => void): Promise<'installed' | 'unchanged'> {
  const have = await installedSums(session, place);
  const wanted = ([['executable', EXECUTABLE_IN_ROOT], ['front', FRONT_IN_ROOT]] as const).filter(([k]) => have[k] !== files[k].sha256);
  if (!wanted.length) return 'unchanged';
  const uploads = wanted.map(([k, inRoot]) => {
    const dest = path.posix.join(place.root, inRoot);
    return { file: files[k], dest, tmp: path.posix.join(path.posix.dirname(dest), `.remote.slurmhop-upload-${crypto.randomBytes(4).toString('hex')}`) };
  });
  const mk = await session.sh(MAKE_ROOT, [place.root]);
  if (mk.code === 4) throw setupError('cluster-unsupported', `${place.root} on the cluster is not safe for remote: ${mk.stderr.trim()}`, `${UNSAFE_FIX}; nothing was installed`);
  if (mk.code !== 0) throw setupError('cluster-step', `cannot create ${place.root}/${path.posix.dirname(FRONT_IN_ROOT)} and ${place.root}/${path.posix.dirname(EXECUTABLE_IN_ROOT)} on the cluster: ${mk.stderr.trim() || `exit ${mk.code}`}`);
  const removeTemporaries = async () => {
    await session.sh('rm -f "$@"', uploads.map((u) => u.tmp));
  };
  const r = await removedIfInterrupted(removeTemporaries, async () => {
    for (const u of uploads) {
      let lastShown = -1;
      try {
        await session.upload(u.file.file, u.tmp, (done, total) => {
          const pct = Math.floor((done / total) * 100);
          if (pct !== lastShown && total > 1 << 20) progress(`uploading ${path.basename(u.file.file)}: ${pct}% of ${Math.round(total / 2 ** 20)} MB`);
          lastShown = pct;
        });
      } catch (err) {
        await removeTemporaries();
        throw setupError('cluster-step', `uploading ${u.file.file} to the login node failed: ${(err as Error).message}`, `is ${place.root} full or over quota? (quota -s, df -h ${place.root})`);
      }
    }
    return session.sh(PLACE_FILES, uploads.flatMap((u) => [u.tmp, u.file.sha256, u.dest]));
  });
  if (r.code !== 0) {
    throw setupError('cluster-step', `installing remote under ${place.root} failed: ${r.stderr.trim() || `exit ${r.code}`}`, `run setup again; if it persists, check the free space there (df -h ${place.root})`);
  }
  return 'installed';
}

/** The executable's `--version`, then the front's, both as the ProxyCommand will run them (from the login shell's home). */
export async function installedVersion(session: RemoteSession, place: InstallPlace): Promise<string> {
  const r = await session.sh('cd && "$1" --version && "$2" --version', [place.executable, place.front]);
  const [executable, front] = r.stdout.trim().split('\n');
  if (r.code !== 0 || executable !== front) {
    const denied = /permission denied/i.test(r.stderr);
    throw setupError(
      'cluster-unsupported',
      `remote does not run on the login node (${place.root}): ${r.stderr.trim() || (r.code === 0 ? `the front says ${front ?? 'nothing'}, the executable ${executable}` : `exit ${r.code}`)}`,
      denied ? `${place.root} is probably mounted noexec: run setup again with --install-dir DIR (a directory that allows executables)` : 'is the login node Linux with glibc 2.28 or newer? (getconf GNU_LIBC_VERSION)',
    );
  }
  return executable!.trim();
}
