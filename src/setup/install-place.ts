// Where remote goes on the cluster (install-layout.ts): under ~/.local where
// the home lets files run; where it is mounted noexec, under a directory of
// the user's that does (found by setup: a tiny script written and run there,
// on the login node), or the one --install-dir names. The ProxyCommand and
// the job follow it. The job runs the executable on the compute nodes, so the
// place must be on a file system they share at the same path: setup says
// so, and warns where the file system looks local to the login node.
import { DEFAULT_FRONT, DEFAULT_ROOT, EXECUTABLE_IN_ROOT, FRONT_IN_ROOT } from '../install-layout.js';
import { setupError } from './errors.js';
import { UNSAFE_FIX, UNSAFE_FUNCTION } from './install-safety.js';

/** Tried in this order where the home is noexec: project and work spaces first (scratch is often purged). */
export const CANDIDATES = ['$WORK', '$PROJECT', '$SCRATCH', '/work/$USER', '/scratch/$USER'];
/** The directory made under a candidate: the root. */
export const CANDIDATE_SUBDIR = 'slurmhop';

export interface PlaceProbe {
  /** `home`, `--install-dir`, or a candidate as CANDIDATES writes it. */
  label: string;
  /** The directory, expanded on the login node ('' when a variable is unset). */
  dir: string;
  result: 'ok' | 'noexec' | 'not-writable' | 'missing' | 'unset' | 'unsafe';
  fsType: string;
  /** Why, where the probe says more (`unsafe`: which directory others could change). */
  detail?: string;
}

export interface InstallPlace {
  /** The root, absolute on the cluster. */
  root: string;
  /** The front and the executable as the ProxyCommand and setup's commands name them (relative to the home for ~/.local). */
  front: string;
  executable: string;
  /** Why this place, for the summary (undefined for ~/.local). */
  why?: string;
  /** The file system looks local to the login node: the nodes may not see it. */
  warning?: string;
}

/** An --install-dir value: absolute, or under ~ or a variable the login node sets, in plain characters (the ProxyCommand passes it through any login shell). */
export function checkInstallDir(value: string): string {
  if (!/^(?:\$[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z0-9_.,:=@%+-]+)*|~?(?:\/[A-Za-z0-9_.,:=@%+-]+)+)\/?$/.test(value)) {
    throw setupError('usage', `--install-dir: "${value}" is not a directory of plain characters (absolute, or starting with ~/ or $VARIABLE/)`, 'e.g. --install-dir \'$WORK/slurmhop\' or --install-dir /scratch/<you>/slurmhop (letters, digits and _ . , : = @ % + - /)');
  }
  return value.replace(/\/+$/, '');
}

/** How sh expands a candidate (set -u safe): $NAME becomes ${NAME-}. */
const shExpansion = (c: string) => c.replace(/\$([A-Z_]+)/g, '${$1-}');

/**
 * sh for the probe (cluster-probe.ts): one `place=LABEL|DIR|RESULT|FSTYPE|DETAIL`
 * line per place tried; $1 the --install-dir value ('' for none). A place is
 * first checked for safety (install-safety.ts), then a script is written
 * there under a name mktemp makes, run, and removed.
 */
export const PLACE_PROBE = `
me=$(id -u)
${UNSAFE_FUNCTION}
exec_test() {
  t=$(mktemp "$1/.slurmhop-exec-test.XXXXXX" 2>/dev/null) || {
    if command -v mktemp >/dev/null 2>&1; then echo "not-writable|$fs"; else echo "not-writable|$fs|mktemp is missing on the login node"; fi
    return 1
  }
  if ! printf '#!/bin/sh\\necho slurmhop-exec-ok\\n' >"$t" || ! chmod 700 "$t"; then rm -f "$t"; echo "not-writable|$fs"; return 1; fi
  r=noexec; [ "$("$t" 2>/dev/null)" = slurmhop-exec-ok ] && r=ok
  rm -f "$t"
  echo "$r|$fs"; [ "$r" = ok ]
}
# check ROOT DIR walk|here [home]: ROOT's safety, then whether DIR (or its
# nearest directory, with walk) runs a script. Elsewhere than the home, nothing
# is written where others could swap it; in the home, a noexec one is said first.
check() {
  d=$2
  if [ "$3" = walk ]; then while [ ! -d "$d" ] && [ -n "$d" ] && [ "$d" != / ]; do d=\${d%/*}; done; [ -n "$d" ] || d=/; fi
  if [ ! -d "$d" ]; then echo "missing|"; return 1; fi
  fs=$(findmnt -n -o FSTYPE -T "$d" 2>/dev/null | head -n 1)
  if [ "\${4-}" = home ]; then r=$(exec_test "$d") || { echo "$r"; return 1; }; fi
  why=$(unsafe "$1")
  if [ -n "$why" ]; then echo "unsafe|$fs|$why"; return 1; fi
  if [ "\${4-}" = home ]; then echo "$r"; else exec_test "$d"; fi
}
places() {
  if [ -n "$1" ]; then
    case $1 in
      '~'/*) dir=$HOME/\${1#'~/'} ;;
      '$'*) name=\${1#'$'}; name=\${name%%/*}; eval "val=\\\${$name-}"; dir=$val\${1#'$'"$name"}; [ -n "$val" ] || dir= ;;
      *) dir=$1 ;;
    esac
    if [ -z "$dir" ]; then r='unset|'; else r=$(check "$dir" "$dir" walk); fi
    printf 'place=%s|%s|%s\\n' --install-dir "$dir" "$r"
    return
  fi
  r=$(check "$HOME/${DEFAULT_ROOT}" "$HOME/${DEFAULT_ROOT}/${FRONT_IN_ROOT.split('/')[0]}" walk home) && ok=1 || ok=
  printf 'place=%s|%s|%s\\n' home "$HOME/${DEFAULT_ROOT}" "$r"
  [ -z "$ok" ] || return 0
  # An unsafe ~/.local in a home that runs programs is refused, not gone round.
  case $r in unsafe'|'*) return 0 ;; esac
${CANDIDATES.map((c) => `  d="${shExpansion(c)}"
  if [ -z "$d" ] || [ "\${d%/}" != "$d" ]; then r='unset|'; d=; else r=$(check "$d/${CANDIDATE_SUBDIR}" "$d" here) && ok=1; fi
  printf 'place=%s|%s|%s\\n' '${c}' "$d" "$r"
  [ -z "$ok" ] || return 0`).join('\n')}
}
places "$1"
`;

export function parsePlaces(lines: string[]): PlaceProbe[] {
  return lines
    .filter((l) => l.startsWith('place='))
    .map((l) => {
      const [label = '', dir = '', result = '', fsType = '', ...detail] = l.slice('place='.length).split('|');
      return { label, dir, result: result as PlaceProbe['result'], fsType, ...(detail.join('|') ? { detail: detail.join('|') } : {}) };
    });
}

const SHARED = /^(nfs4?|lustre|gpfs|beegfs|cephfs|ceph|fuse\..*|panfs|wekafs|pvfs2|glusterfs|cifs|smb3|9p|vast)$/;
const LOCAL = /^(ext[234]|xfs|btrfs|tmpfs|zfs|f2fs|vfat|overlay|ramfs)$/;

function place(root: string, relative: boolean, why: string | undefined, fsType: string): InstallPlace {
  const warning =
    LOCAL.test(fsType) && !SHARED.test(fsType)
      ? `${root} is on a ${fsType} file system, which is usually local to the login node: the compute nodes must see it at the same path (the job runs the executable there)`
      : undefined;
  return {
    root,
    front: relative ? DEFAULT_FRONT : `${root}/${FRONT_IN_ROOT}`,
    executable: relative ? `${DEFAULT_ROOT}/${EXECUTABLE_IN_ROOT}` : `${root}/${EXECUTABLE_IN_ROOT}`,
    ...(why ? { why } : {}),
    ...(warning ? { warning } : {}),
  };
}

const what = (p: PlaceProbe) =>
  `${{ ok: 'runs executables', noexec: 'mounted noexec', 'not-writable': 'not writable', missing: 'no such directory', unset: 'not set', unsafe: 'not safe' }[p.result] ?? p.result}${p.detail ? ` (${p.detail})` : ''}`;
const said = (p: PlaceProbe) => `${p.label}${p.dir && p.label !== p.dir ? ` (${p.dir})` : ''}: ${what(p)}`;

/** The place from the probe's lines; throws a clear refusal where no place works. */
export function choosePlace(probes: PlaceProbe[], installDir: string | undefined, home: string): InstallPlace {
  if (installDir !== undefined) {
    const p = probes.find((x) => x.label === '--install-dir');
    if (p?.result === 'unsafe') {
      throw setupError('cluster-unsupported', `--install-dir ${installDir}: ${said(p)}`, `${UNSAFE_FIX}: remove the others' write access where the directory is yours (chmod go-w), or name one in a tree only you and root can write (e.g. --install-dir '$SCRATCH/slurmhop'); nothing was installed`);
    }
    if (!p || p.result !== 'ok') {
      throw setupError('cluster-unsupported', `--install-dir ${installDir}: ${p ? said(p) : 'not tested'}`, 'name a directory you can write on the login node, that allows executables and that the compute nodes see at the same path; nothing was installed');
    }
    return place(p.dir, false, `--install-dir ${installDir}`, p.fsType);
  }
  const home_ = probes.find((x) => x.label === 'home');
  if (home_?.result === 'ok') return place(home_.dir, true, undefined, '');
  if (home_?.result === 'unsafe') {
    throw setupError('cluster-unsupported', `~/${DEFAULT_ROOT} on the login node is not safe for remote: ${home_.detail ?? 'others can change it'}`, `${UNSAFE_FIX}: remove the others' write access there (chmod go-w), or name a directory of your own with --install-dir DIR; nothing was installed`);
  }
  const chosen = probes.find((x) => x.label !== 'home' && x.result === 'ok');
  const tried = probes.filter((x) => x.label !== 'home').map(said).join('; ');
  const noexec = home_?.result === 'noexec' ? `your home on the login node (${home}) is mounted noexec` : `~/${DEFAULT_ROOT} on the login node is ${home_ ? what(home_) : 'not usable'}`;
  if (!chosen) {
    const own = probes.some((x) => x.result === 'unsafe') ? `; ${UNSAFE_FIX}` : '';
    throw setupError('cluster-unsupported', `${noexec}, and none of the usual places for programs works (${tried})`, `name a directory you can write, that allows executables and that the compute nodes see at the same path: --install-dir DIR${own}; nothing was installed`);
  }
  return place(`${chosen.dir}/${CANDIDATE_SUBDIR}`, false, `${noexec}; ${chosen.label}${chosen.label === chosen.dir ? '' : ` (${chosen.dir})`} is writable and runs executables${chosen.fsType ? ` (${chosen.fsType})` : ''}`, chosen.fsType);
}
