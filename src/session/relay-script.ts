// The lean relay's bash, run on the login node after the hand-off (handoff.ts)
// or by the front of `remote` (front/) on the warm path: bash relaying through
// /dev/tcp with two dd (about 1 MB in all, where a Node relay holds ~50 MB),
// then saying why the session ended. Paths, limits and messages come from the
// TypeScript that owns them (bash-text.ts). nc and ncat are not used: they do
// not exit when the server side closes while the client is still connected,
// so a job that ends would leave the ssh client hanging.
import { fitAddressSpaceBash } from '../address-space.js';
import { bashWord, seconds, slot } from '../bash-text.js';
import { contactFile, statusFile, swapMarkFile } from '../paths.js';

/** How long the look at the job's sshd may take (a node on the login node's network answers in ms); explain-end.ts's too. */
export const LISTENER_PROBE_MS = 300;

/** How long a peer that never answers the half-close (a crashed node) may keep the relay. */
const HALF_CLOSE_LIMIT_MS = 30_000;

const jobPath = (of: (state: string, job: string) => string) => bashWord(of(slot('state'), slot('job')));

// guard_start SECONDS SIGNAL PID: sends SIGNAL to PID after SECONDS unless
// guard_stop comes first; its sleep goes with it, and it holds no pipe of the
// session nor its socket (a process left holding one keeps `$(ssh ...)` waiting).
const GUARD = `guard_start() {
  { trap 'kill "$s" 2>/dev/null; exit 0' TERM; sleep "$1" & s=$!; wait "$s" && kill "-$2" "$3" 2>/dev/null; } </dev/null >/dev/null 2>&1 3>&- &
  guard=$!
}
guard_stop() { kill "$guard" 2>/dev/null; wait "$guard" 2>/dev/null; }`;

// half_close REMOTE...: shuts the write side of the socket on fd 3 (dd cannot),
// so the server sees the end of input and can still finish. perl's or
// python's shutdown() take milliseconds; `remote shutdown-write` starts Node.
const HALF_CLOSE = `half_close() {
  if command -v perl >/dev/null 2>&1 && perl -e 'shutdown(STDIN, 1) or exit 1' <&3 >/dev/null 2>&1; then return 0; fi
  if command -v python3 >/dev/null 2>&1 && python3 -c 'import socket; socket.socket(fileno=0).shutdown(socket.SHUT_WR)' <&3 >/dev/null 2>&1; then return 0; fi
  "$@" shutdown-write <&3 >/dev/null 2>&1
}`;

// relay HOST PORT HELD REG REMOTE... (HOST empty: fd 3 is connected already, its banner sent on)
// - held bytes (what the client sent while the job started) go first;
// - a background job's stdin is /dev/null unless redirected, hence fd 4;
// - dd with 16 KiB blocks both ways: cat's 128 KiB writes made uploads through
//   the ssh chain ~15% slower than nc's (measured with npm run bench);
// - it half-closes, as the Node relay does (half_close), then waits for the
//   server's side, at most HALF_CLOSE_LIMIT_MS;
// - transport = node-sshd: it registers, in the job's directory, the address
//   it connects from (as /proc/net/tcp writes it), so the job can count the
//   user's sessions where /proc hides the node's sshd (job/sessions.ts);
// - ssh sends its ProxyCommand SIGHUP when it exits: that is the client's end
//   (both dd are stopped, so none is left holding the connection);
// - it returns how the session ended: 0 the client ended it, 3 the server
//   closed it, 4 the connection was lost. bash older than 4.3 has no `wait -n`:
//   it waits for the server's side only and cannot tell 3 from 4 by direction.
const RELAY = `relay() {
  local host=$1 port=$2 held=$3 reg=$4 down= up= first hup= ino table inode addr guard; shift 4
  trap "hup=1; kill \\$down \\$up 2>/dev/null" HUP
  if [ -n "$host" ]; then exec 3<>"/dev/tcp/$host/$port" || return 4; fi
  if [ -n "$reg" ]; then
    ino=$(readlink "/proc/$$/fd/3"); ino=\${ino//[^0-9]/}
    for table in /proc/net/tcp /proc/net/tcp6; do
      [ -r "$table" ] || continue
      while read -r _ addr _ _ _ _ _ _ _ inode _; do
        if [ "$inode" = "$ino" ]; then mkdir -p -m 700 "\${reg%/*}" && echo "$addr" >"$reg"; break 2; fi
      done <"$table"
    done
  fi
  if [ -n "$held" ]; then cat -- "$held" >&3; rm -f -- "$held"; fi
  exec 4<&0
  dd bs=16k status=none <&3 & down=$!
  dd bs=16k status=none <&4 >&3 & up=$!
  exec 0</dev/null 4<&-
  if [ "\${BASH_VERSINFO[0]}" -lt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -lt 3 ]; }; then
    wait "$down"; first=$?; kill "$up" 2>/dev/null; wait; exec 3>&-
    if [ -n "$hup" ]; then return 0; fi
    [ "$first" -eq 0 ] && return 3 || return 4
  fi
  wait -n; first=$?
  if [ -n "$hup" ]; then wait; exec 3>&-; return 0; fi
  if kill -0 "$down" 2>/dev/null; then
    if [ "$first" -ne 0 ]; then kill "$down" 2>/dev/null; wait; exec 3>&-; return 4; fi
    half_close "$@"
    guard_start ${seconds(HALF_CLOSE_LIMIT_MS)} TERM "$down"
    wait "$down"
    guard_stop; kill "$down" 2>/dev/null; wait; exec 3>&-
    return 0
  fi
  kill "$up" 2>/dev/null; wait; exec 3>&-
  [ "$first" -eq 0 ] && return 3 || return 4
}`;

// quiet_end STATE JOB NODE PORT SINCE: whether a session of transport = tcp
// ended ordinarily, told from the state files and one connect, as
// explain-end.ts's first look does (no Node start, so the client's pipes close
// at once): nothing new in the job's status since the session began (no end,
// no memory kill), no swap mark, the contact still there, and the job's sshd
// still listening (Slurm's end signals it with the session). Anything else:
// `remote session-ended` looks closer.
const QUIET_END = `quiet_end() {
  local state=$1 job=$2 node=$3 port=$4 since=$5 text= answered= guard
  case $since in '' | *[!0-9]*) return 1 ;; esac
  { : >>${jobPath(statusFile)}; } 2>/dev/null
  { IFS= read -r -d '' text <${jobPath(statusFile)}; } 2>/dev/null
  [ "\${#text}" -eq "$since" ] || return 1
  case $text in *'"event":"ended"'*) return 1 ;; esac
  [ ! -e ${jobPath(swapMarkFile)} ] && [ -e ${jobPath(contactFile)} ] || return 1
  trap : ALRM
  guard_start ${seconds(LISTENER_PROBE_MS)} ALRM $$
  if { exec 5<>"/dev/tcp/$node/$port"; } 2>/dev/null; then answered=1; exec 5>&-; fi
  guard_stop
  [ -n "$answered" ]
}`;

/** The functions that run on the job's node under transport = srun. */
const NODE_FUNCTIONS = [GUARD, HALF_CLOSE, RELAY].join('\n');

// slurmhop_session TRANSPORT NODE PORT JOB HELD REG SINCE STATE CONNECTED REMOTE...
// SINCE: the size of the job's status file when the session began; CONNECTED:
// 1 when fd 3 is the job's sshd already (the front's warm path); REMOTE: how
// to run slurmhop again. The client's stdout is kept until the end is
// explained, so the client sees the connection close after the reason.
// transport srun: the relay runs on the node itself, inside the allocation
// (srun -u: unbuffered, the stream is binary), towards sshd on its loopback;
// srun passes its status back.
const SESSION = `slurmhop_session() {
  local transport=$1 node=$2 port=$3 job=$4 held=$5 reg=$6 since=$7 state=$8 connected=$9 status how dial; shift 9
  if [ "$transport" = srun ]; then
    srun --jobid="$job" --overlap --nodes=1 --ntasks=1 --nodelist="$node" --unbuffered --quiet /bin/bash -c "$slurmhop_node_functions"'
relay "$@"' slurmhop-relay 127.0.0.1 "$port" "$held" '' "$@"
    status=$?
  else
    dial=$node; [ -z "$connected" ] || dial=
    relay "$dial" "$port" "$held" "$reg" "$@"
    status=$?
    [ -z "$reg" ] || rm -f -- "$reg"
  fi
  case $status in 0) how=client ;; 3) how=server ;; *) how=lost ;; esac
  if [ "$transport" = tcp ] && [ "$how" != lost ] && quiet_end "$state" "$job" "$node" "$port" "$since"; then exit 0; fi
  slurmhop_fit || exit
  exec "$@" session-ended "$job" "$how" "$since" </dev/null
}`;

/** Every function of the session, for a script that calls `slurmhop_session` (the hand-off, the front). */
export function sessionFunctions(): string {
  return [`slurmhop_node_functions=${bashWord(NODE_FUNCTIONS)}`, NODE_FUNCTIONS, QUIET_END, fitAddressSpaceBash(), SESSION].join('\n');
}

/** The hand-off's script: `bash -c SCRIPT slurmhop-session TRANSPORT NODE PORT JOB HELD REG SINCE STATE CONNECTED REMOTE...`. */
export function loginScript(): string {
  return `set +o posix\n${sessionFunctions()}\nslurmhop_session "$@"`;
}
