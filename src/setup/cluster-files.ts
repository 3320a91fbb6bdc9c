// Files the wizard changes on the cluster, each with plain shell: the public
// key in authorized_keys (once, permissions sshd accepts, other lines kept),
// config.ini (backup, temporary file, rename) and the job host key.
import crypto from 'node:crypto';
import { setupError } from './errors.js';
import { onInterrupt } from './interrupt.js';
import type { RemoteSession } from './remote-session.js';

/** The key's blob (second field) is what identifies it; options and comments may differ. */
export function hasPublicKey(authorizedKeys: string, publicKey: string): boolean {
  const blob = publicKey.trim().split(/\s+/)[1];
  return !!blob && authorizedKeys.split('\n').some((l) => l.trim().split(/\s+/).includes(blob));
}

export async function addAuthorizedKey(session: RemoteSession, publicKey: string): Promise<void> {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  const r = await session.sh(
    `set -e
umask 077
mkdir -p "$HOME/.ssh"
chmod 700 "$HOME/.ssh"
f=$HOME/.ssh/authorized_keys
touch "$f"
chmod 600 "$f"
if ! grep -qF -- "$2" "$f"; then
  if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then printf '\\n' >>"$f"; fi
  printf '%s\\n' "$1" >>"$f"
fi`,
    [publicKey.trim(), blob],
  );
  if (r.code !== 0) {
    throw setupError('cluster-step', `adding your public key to ~/.ssh/authorized_keys on the cluster failed: ${r.stderr.trim() || `exit ${r.code}`}`, 'check that ~/.ssh on the cluster belongs to you');
  }
}

/**
 * The key's line out of authorized_keys: a new file beside the real one (a
 * symlink is followed, and stays a link), renamed over it only when grep read
 * and wrote it whole (exit 0 or 1; 2 is an error, e.g. a full home or quota).
 */
export async function removeAuthorizedKey(session: RemoteSession, publicKey: string): Promise<void> {
  const blob = publicKey.trim().split(/\s+/)[1] ?? '';
  const r = await session.sh(
    `f=$HOME/.ssh/authorized_keys
[ -f "$f" ] || exit 0
grep -qF -- "$1" "$f" || exit 0
real=$(readlink -f -- "$f") && [ -n "$real" ] || exit 3
mode=$(stat -c %a -- "$real") || exit 3
t=$(mktemp "$real.slurmhop-XXXXXX") || exit 3
grep -vF -- "$1" "$real" >"$t"
if [ $? -gt 1 ]; then rm -f "$t"; exit 3; fi
chmod "$mode" "$t" && mv -f "$t" "$real" || { rm -f "$t"; exit 3; }`,
    [blob],
  );
  if (r.code !== 0) {
    throw setupError('cluster-step', `removing the key from ~/.ssh/authorized_keys on the cluster failed (the file is unchanged): ${r.stderr.trim() || `exit ${r.code}`}`, 'is your home there full or over quota? (quota -s, df -h ~); free some space and run uninstall again');
  }
}

/** Write config.ini: a timestamped backup of an existing one, then a temporary file renamed over it. */
export async function writeConfigIni(session: RemoteSession, file: string, text: string, now: Date): Promise<void> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const dir = file.slice(0, file.lastIndexOf('/'));
  const mk = await session.sh('umask 077; mkdir -p "$1"', [dir]);
  if (mk.code !== 0) throw setupError('cluster-step', `cannot create ${dir} on the cluster: ${mk.stderr.trim()}`);
  const tmp = `${dir}/.config.ini.slurmhop-${crypto.randomBytes(4).toString('hex')}`;
  const off = onInterrupt(async () => {
    await session.sh('rm -f "$1"', [tmp]);
  });
  await session.writeFile(tmp, text, 0o644);
  const r = await session
    .sh(
      `if [ -f "$2" ]; then cp -p "$2" "$2.slurmhop-backup-$3" && chmod "$(stat -c %a "$2")" "$1"; fi
mv -f "$1" "$2"`,
      [tmp, file, stamp],
    )
    .finally(off);
  if (r.code !== 0) {
    await session.sh('rm -f "$1"', [tmp]);
    throw setupError('cluster-step', `writing ${file} on the cluster failed: ${r.stderr.trim()}`, 'the old file is unchanged');
  }
}

/** `remote hostkey`: the job host key, created on first use (`front`: where remote is, relative to the home or absolute). */
export async function jobHostKey(session: RemoteSession, front: string): Promise<string> {
  const r = await session.sh('cd && exec "$1" hostkey', [front]);
  const line = r.stdout.trim();
  if (r.code !== 0 || !/^ssh-ed25519 [A-Za-z0-9+/=]+/.test(line)) {
    throw setupError('cluster-step', `"remote hostkey" failed on the cluster: ${r.stderr.trim() || line || `exit ${r.code}`}`, 'see TUTORIAL.md "Troubleshooting"');
  }
  return line.split(/\s+/).slice(0, 2).join(' ');
}

export async function sinfo(session: RemoteSession): Promise<string> {
  const r = await session.sh("sinfo -h -o '%P|%G|%l'");
  if (r.code !== 0) {
    throw setupError('cluster-step', `sinfo failed on the login node: ${r.stderr.trim() || `exit ${r.code}`}`, 'is this a Slurm login node? (try "sinfo" there yourself)');
  }
  return r.stdout;
}

/**
 * Whether VS Code's server directory on the cluster (`dir`, default the home)
 * can hold its lock files: a file made there and flock'ed, as Remote-SSH does.
 * Returns why not, or undefined when it can (or when flock is not there to ask).
 */
export async function lockTrouble(session: RemoteSession, dir: string | undefined): Promise<string | undefined> {
  const r = await session.sh(
    `d=\${1:-$HOME}
f=$d/.slurmhop-lock-probe.$$
if ! err=$( { : >"$f"; } 2>&1); then echo "cannot create a file in $d: \${err##*: }"; exit 0; fi
if command -v flock >/dev/null 2>&1 && ! out=$(flock -n "$f" true 2>&1); then echo "flock fails in $d: $out"; fi
rm -f "$f"`,
    dir === undefined ? [] : [dir],
  );
  return r.stdout.trim() || undefined;
}
