// Only the user may be able to change what runs as remote: the front runs on
// every connect. A root that another user can write, rename or replace (a
// group-writable project space, a planted symbolic link, a directory of
// someone else's on the way) is refused, by the probe (install-place.ts)
// and again where the directories are made (cluster-install.ts).
import path from 'node:path';
import { EXECUTABLE_IN_ROOT, FRONT_IN_ROOT } from '../install-layout.js';

/** The directories of the layout, from the deepest to the root (relative to it). */
const LAYOUT_DIRS = [path.posix.dirname(EXECUTABLE_IN_ROOT), path.posix.dirname(path.posix.dirname(EXECUTABLE_IN_ROOT)), path.posix.dirname(FRONT_IN_ROOT)];

/**
 * sh: `unsafe ROOT` prints why ROOT is not the user's alone, nothing when it
 * is. The root and its layout directories, where they exist: real
 * directories (not links) of the user's that only the user can write. Every
 * directory above the root (physical path, from the nearest that exists):
 * the user's or root's, not writable by group or others unless sticky (then
 * nobody else can rename what is the user's in it). Group write is the
 * user's alone where the group is the user's private group (its name is the
 * user's and it is the user's primary group: RHEL's user private groups,
 * whose umask 002 makes ~/.local group-writable). Needs `me=$(id -u)`.
 */
export const UNSAFE_FUNCTION = `owner_mode() {
  om=$(stat -c '%u %a %g %G' -- "$1") || return 1
  ou=\${om%% *}; om=\${om#* }; og=\${om#* }; om=\${om%% *}
  wm=022
  [ "$og" != "$(id -g) $(id -un)" ] || wm=002
}
unsafe() {
  for x in ${LAYOUT_DIRS.map((d) => `"$1/${d}"`).join(' ')} "$1"; do
    if [ -L "$x" ]; then echo "$x is a symbolic link (name the directory it points to instead)"; return; fi
    [ -e "$x" ] || continue
    [ -d "$x" ] || { echo "$x is not a directory"; return; }
    owner_mode "$x" || { echo "cannot stat $x"; return; }
    if [ "$ou" != "$me" ]; then echo "$x belongs to another user (uid $ou)"; return; fi
    if [ $((0$om & wm)) -ne 0 ]; then echo "$x can be written by its group or others (mode $om)"; return; fi
  done
  d=\${1%/*}; [ -n "$d" ] || d=/
  while [ ! -d "$d" ]; do d=\${d%/*}; [ -n "$d" ] || d=/; done
  d=$(cd -P -- "$d" 2>/dev/null && pwd -P) || return 0
  while :; do
    owner_mode "$d" || { echo "cannot stat $d"; return; }
    if [ "$ou" != "$me" ] && [ "$ou" != 0 ]; then echo "$d belongs to another user (uid $ou)"; return; fi
    if [ $((0$om & wm)) -ne 0 ] && [ $((0$om & 01000)) -eq 0 ]; then echo "$d can be written by its group or others (mode $om)"; return; fi
    [ "$d" != / ] || return 0
    d=\${d%/*}; [ -n "$d" ] || d=/
  done
}`;

/** What to do about an unsafe place, for the wizard's hints. */
export const UNSAFE_FIX = 'only you may be able to write where remote goes and in every directory above it (others could replace the program that runs on every connect; a shared project space usually lets the whole group write)';

/**
 * sh: `MAKE_ROOT ROOT`: the root and its layout directories, made where
 * missing and never through a link, then checked as the probe checks them
 * (exit 4 and why on stderr when another user could change them).
 */
export const MAKE_ROOT = `set -u
me=$(id -u)
${UNSAFE_FUNCTION}
root=$1
case $root in /*) ;; *) root=$HOME/$root ;; esac
why=$(unsafe "$root"); [ -z "$why" ] || { echo "$why" >&2; exit 4; }
# 0755, as system bin directories: only the user writes; the job (the same user) and admins can read.
umask 022
[ -z "\${root%/*}" ] || mkdir -p -- "\${root%/*}" || exit 3
for d in "$root" ${[...LAYOUT_DIRS].reverse().map((d) => `"$root/${d}"`).join(' ')}; do
  [ -d "$d" ] && [ ! -L "$d" ] || mkdir -m 755 -- "$d" || { why=$(unsafe "$root"); [ -z "$why" ] || { echo "$why" >&2; exit 4; }; exit 3; }
done
why=$(unsafe "$root"); [ -z "$why" ] || { echo "$why" >&2; exit 4; }`;
