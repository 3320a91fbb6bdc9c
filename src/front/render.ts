// The front of `remote`: a small bash script, installed as <root>/bin/remote
// (install-layout.ts), that the ProxyCommand and every user command run. It
// answers `remote proxy` on the warm path without starting Node (warm.ts)
// and `--version`; for anything else it checks the address-space limit
// Node needs and runs the executable beside it, which does the rest. Written
// by the build (dist/remote-front), installed by setup, and rewritten by the
// executable whenever this text changes (refresh.ts): one text per version.
import { bashWord, slot } from '../bash-text.js';
import { EXECUTABLE_FROM_FRONT_DIR } from '../install-layout.js';
import { fitAddressSpaceBash } from '../address-space.js';
import { laterText, loginScript } from '../session/relay-script.js';
import { updatePaths } from '../update/paths.js';
import { VERSION } from '../version.js';
import { warmFinishFunction, warmPickFunction } from './warm.js';

/** The front's first lines: how the executable tells a front (its own to rewrite) from any other file. */
export const FRONT_MARK = '# slurmhop front of remote';

// SLURMHOP_TIMING=1: each step as "slurmhop-timing NAME MS" on stderr, as
// timing.ts does (origin: epoch ms when the script began; bash 5's clock).
const TIMING = `if [ "\${SLURMHOP_TIMING-}" = 1 ] && [ -n "\${EPOCHREALTIME-}" ]; then
  slurmhop_t0=\${EPOCHREALTIME/[.,]/}
  printf 'slurmhop-timing origin %d.%03d\\n' $((slurmhop_t0 / 1000)) $((slurmhop_t0 % 1000)) >&2
  mark() { local t=\${EPOCHREALTIME/[.,]/}; t=$((t - slurmhop_t0)); printf 'slurmhop-timing %s %d.%03d\\n' "$1" $((t / 1000)) $((t % 1000)) >&2; }
else
  mark() { :; }
fi`;

// run_full ARGS...: the executable (found beside this script, through a
// link too), with the user's own locale, under a limit it can start with
// (slurmhop_fit).
const RUN_FULL = `run_full() {
  slurmhop_fit || exit
  if [ -n "\${slurmhop_lc_all+set}" ]; then LC_ALL=$slurmhop_lc_all; else unset LC_ALL; fi
  if [ ! -x "$exe" ]; then
    printf 'slurmhop: %s is missing or cannot run (the program that %s starts)\\n  run "slurmhop setup" on your computer again to install it\\n' "$exe" "$0" >&2
    exit 127
  fi
  exec "$exe" "$@"
}`;

export function renderFront(): string {
  const current = bashWord(updatePaths(slot('state')).current);
  return `#!/bin/bash -p
${FRONT_MARK} (slurmhop ${VERSION}), generated from src/front/ by the build.
# Do not edit: remote rewrites this file when its own version differs. It answers
# \`remote proxy\` on the warm path (a job runs) from the state files and one
# connect, without starting Node; anything else runs the executable beside it.
set +o posix
if [ -n "\${LC_ALL+set}" ]; then slurmhop_lc_all=$LC_ALL; fi
LC_ALL=C
${TIMING}
case $0 in */*) exe=\${0%/*}/${EXECUTABLE_FROM_FRONT_DIR} ;; *) exe=./${EXECUTABLE_FROM_FRONT_DIR} ;; esac
# Reached through a link to it: the executable is beside the file itself.
if [ ! -x "$exe" ] && slurmhop_self=$(readlink -f -- "$0" 2>/dev/null); then exe=\${slurmhop_self%/*}/${EXECUTABLE_FROM_FRONT_DIR}; fi
case $exe in /*) ;; *) exe=$PWD/$exe ;; esac
slurmhop_warm=
${warmPickFunction()}
if [ "\${BASH_VERSINFO[0]}" -gt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -ge 2 ]; }; then
  if [ $# -eq 2 ] && [ "$1" = proxy ]; then
    slurmhop_arg=$2
    warm_pick "$2" && warm_connect && slurmhop_warm=1
  elif [ $# -eq 1 ] && { [ "$1" = --version ] || [ "$1" = -V ]; } && front_dirs && [ ! -e ${current} ]; then
    printf 'slurmhop %s\\n' ${bashWord(VERSION)}
    exit 0
  fi
fi
# Read only now: what follows is parsed while the job's sshd prepares its banner.
slurmhop_session_script=${bashWord(loginScript())}
slurmhop_later=${bashWord(laterText())}
${fitAddressSpaceBash()}
${warmFinishFunction()}
${RUN_FULL}
[ -z "$slurmhop_warm" ] || warm_finish
run_full "$@"
`;
}
