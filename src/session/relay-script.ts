// The lean relay's bash, run on the login node after the hand-off (handoff.ts)
// or by the front of `remote` (front/) on the warm path: bash relaying through
// /dev/tcp with two dd (well under 1 MB in all, where a Node relay holds ~50 MB),
// then saying why the session ended. Paths, limits and messages come from the
// TypeScript that owns them (bash-text.ts). nc and ncat are not used: they do
// not exit when the server side closes while the client is still connected,
// so a job that ends would leave the ssh client hanging.
//
// Memory: bash holds about 60 bytes per character of what it parses, for as
// long as a function lives. So the bash that waits for a session runs a short
// straight-line script (SESSION), and what only the session's end needs comes
// as text in its arguments (LATER), read when the session is over.
import { fitAddressSpaceBash } from '../address-space.js';
import { bashWord, seconds, slot, STOPPABLE_TRAP, stoppableSleep } from '../bash-text.js';
import { contactFile, sshdLogFile, statusFile, swapMarkFile } from '../paths.js';
import { BANNER_TIMEOUT_MS } from '../state/index.js';
import { LISTENER_MAY_SLEEP, LISTENER_PROBE_MS } from './listener-probe.js';

/** How long a peer that never answers the half-close (a crashed node) may keep the relay. */
const HALF_CLOSE_LIMIT_MS = 30_000;
/**
 * How long a relay whose server side closed first waits for the client's own
 * end: after an ordinary end the ssh client has sent its disconnect and goes
 * a moment later (the server's close raced it: measured 0-50 ms through a
 * ControlMaster). Only where nothing yet says the job ended (quiet_end): a
 * job's end not yet visible keeps a client that got no close of its own
 * waiting for this relay, and this much more passes before it is explained.
 */
export const CLIENT_END_WINDOW_MS = 500;
/**
 * How long a relay whose client ended first waits for the server's own close
 * before it half-closes: ssh's goodbye comes before its end, and the job's
 * sshd closes on it within milliseconds (a client gone without one, killed,
 * waits this much more).
 */
const SERVER_CLOSE_WAIT_MS = 50;

const jobPath = (of: (state: string, job: string) => string) => bashWord(of(slot('state'), slot('job')));

/** The banner of a job's sshd (endpoint.ts expectedBanner), as an ERE over a banner of printable ASCII. */
export function bannerRegex(transport: 'tcp' | 'node-sshd', job: string): string {
  const word = 'A-Za-z0-9_';
  return transport === 'node-sshd' ? '^SSH-(2\\.0|1\\.99)-' : `^SSH-2\\.0-([^ ].*[^${word}]|[^ ${word}])slurmhop-${job}([^${word}]|$)`;
}

// banner_ok TRANSPORT JOB LINE: whether the first line the sshd sent (its CR
// kept) is the job's; lines of other than printable ASCII are left to the
// executable, whose \s and . differ from bash's there.
export const BANNER_OK = `banner_ok() {
  local job=$2 banner=\${3%$'\\r'} re
  if [ "$1" = tcp ]; then re=${bashWord(bannerRegex('tcp', slot('job')))}; else re=${bashWord(bannerRegex('node-sshd', ''))}; fi
  [[ \${#banner} -lt 255 && $banner != *[!\\ -~]* && $banner =~ $re ]]
}`;

// slurmhop_mark NAME: with SLURMHOP_TIMING=1 the front passes its clock's
// origin (SLURMHOP_T0, microseconds): marks on stderr as the front's (bench).
const MARK = `slurmhop_mark() {
  [ -n "\${SLURMHOP_T0-}" ] && [ -n "\${EPOCHREALTIME-}" ] || return 0
  local t=\${EPOCHREALTIME/[.,]/}; t=$((t - SLURMHOP_T0))
  printf 'slurmhop-timing %s %d.%03d\\n' "$1" $((t / 1000)) $((t % 1000)) >&2
}`;

// guard_start SECONDS SIGNAL PID: sends SIGNAL to PID after SECONDS unless
// guard_stop comes first; its sleep goes with it, and it holds no pipe of the
// session nor its socket (a process left holding one keeps `$(ssh ...)` waiting).
// No sleep outlives its guard (bash-text.ts stoppableSleep).
const GUARD = `guard_start() {
  { ${STOPPABLE_TRAP}; ${stoppableSleep('"$1"', 'kill "-$2" "$3" 2>/dev/null')}; } </dev/null >/dev/null 2>&1 3>&- &
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

// relay_finish REMOTE...: after the first of the two dd ended ($first its
// status), or ssh's SIGHUP ($hup): where the client ended first and the
// server does not close within SERVER_CLOSE_WAIT_MS, it half-closes, as the
// Node relay does, then waits for the server's side, at most
// HALF_CLOSE_LIMIT_MS; where the
// server's side closed first and nothing says the job ended (quiet_end, at
// once: a swap or a job's end is explained without delay), it waits
// CLIENT_END_WINDOW_MS for the client's end (an ordinary end whose disconnect
// the server answered first), unless the job's sshd log tells: this
// connection's goodbye is there (bye_answer: asked after quiet_end, since
// ssh says goodbye after any end of its session, a job's end too; $quiet then
// says the end was ordinary), or it is not (the job's side ended the session:
// its sshd was signalled before the job wrote why, so it is explained). It returns
// how the session ended: 0 the client ended it, 3 the server closed it, 5 the
// server closed it and the log says the job's side did, 4 the connection was
// lost. bash older than 4.3 has no `wait -n`: it waited for the server's side
// only and cannot tell 3 from 4 by direction.
const RELAY_FINISH = `relay_finish() {
  if [ "\${BASH_VERSINFO[0]}" -lt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -lt 3 ]; }; then
    relay_close "$up"
    if [ -n "$hup" ]; then return 0; fi
    [ "$first" -eq 0 ] && return 3 || return 4
  fi
  if [ -n "$hup" ]; then relay_close; return 0; fi
  if kill -0 "$down" 2>/dev/null; then
    if [ "$first" -ne 0 ]; then relay_close "$down"; return 4; fi
    # ssh's goodbye goes before its end, and its sshd closes at that: the server is told
    # that the input ended (half_close: a program's start) only where it does not close.
    # A nap to wait with, not a signal: a trap that cuts a \`wait\` short leaves bash
    # waiting, in the next \`wait PID\`, for a child it already saw end.
    sleep ${seconds(SERVER_CLOSE_WAIT_MS)} </dev/null >/dev/null 2>&1 3>&- & nap=$!
    wait -n
    kill "$nap" 2>/dev/null; wait "$nap" 2>/dev/null
    if kill -0 "$down" 2>/dev/null; then
      half_close "$@"
      slurmhop_mark half-closed
      guard_start ${seconds(HALF_CLOSE_LIMIT_MS)} TERM "$down"
      wait "$down"
      guard_stop
    fi
    slurmhop_mark down-ended
    relay_close "$down"
    return 0
  fi
  # The server closed first: where nothing says the job ended (quiet_end), the client's own end may follow at once.
  if [ "$first" -eq 0 ] && [ "$transport" = tcp ]; then
    # The look for its goodbye in the job's sshd log starts first, and runs while quiet_end asks.
    bye_start
    if quiet_end; then
      # Its goodbye is in the job's sshd log: no need to wait for it. (A client says goodbye too
      # when the job's end closed its session: quiet_end, first, keeps that end to be explained.)
      bye_answer; bye=$?
      if [ "$bye" -eq 0 ]; then slurmhop_mark client-said-bye; relay_close "$up"; quiet=1; return 0; fi
      # The log says the client said nothing: the job's side ended the session (its end not yet written).
      if [ "$bye" -eq 1 ]; then relay_close "$up"; return 5; fi
      guard_start ${seconds(CLIENT_END_WINDOW_MS)} TERM "$up"
      wait "$up"; first=$?
      guard_stop; relay_close "$up"
      # The client's end, the window's way: whether the end was ordinary is asked again (slurmhop_end),
      # since the job's end may have been written while the client went.
      [ "$first" -eq 0 ] || [ -n "$hup" ] && return 0 || return 3
    fi
  fi
  relay_close "$up"
  [ "$first" -eq 0 ] && return 3 || return 4
}
# relay_close [PID]: stops what is left of the relay (PID, a dd), waits for every
# helper, and closes the connection.
relay_close() {
  [ -z "\${1-}" ] || kill "$1" 2>/dev/null
  wait; exec 3>&-
}`;

// slurmhop_local_address: fd 3's local address, as /proc/net/tcp (or tcp6)
// writes it, in $addr: the table's line whose inode is the socket's.
export const LOCAL_ADDRESS = `slurmhop_local_address() {
  local ino table inode
  addr=
  ino=$(readlink "/proc/$$/fd/3" 2>/dev/null) || return 1; ino=\${ino//[^0-9]/}
  [ -n "$ino" ] || return 1
  for table in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$table" ] || continue
    while read -r _ addr _ _ _ _ _ _ _ inode _; do [ "$inode" = "$ino" ] && return 0; done <"$table"
  done
  addr=; return 1
}`;

// transport = node-sshd: register, in the job's directory, the address the
// relay connects from (as /proc/net/tcp writes it), so the job can count the
// user's sessions where /proc hides the node's sshd (job/sessions.ts).
const REGISTER = `slurmhop_register() {
  local addr
  slurmhop_local_address && mkdir -p -m 700 "\${reg%/*}" && echo "$addr" >"$reg"
}`;

// quiet_end: whether a session of transport = tcp that the client ended (as
// an ordinary end does: the ssh client closes first) ended ordinarily, told
// from the state files and one connect, as explain-end.ts's first look does
// (no Node start, so the client's pipes close at once): nothing new in the
// job's status since the session began (no end, no memory kill), no swap mark,
// the contact still there, and the job's sshd still listening (Slurm's end
// signals it with the session; an sshd whose listener may sleep through that
// signal must answer with the job's banner: listener-probe.ts). Anything else,
// and every end the server side began (a job's end usually is one: its sshd
// goes first, and its listener may still answer for a moment), is for
// `remote session-ended` to look at closer.
const QUIET_END = `quiet_end() {
  local text= contact= line= answered= guard
  case $since in '' | *[!0-9]*) return 1 ;; esac
  { : >>${jobPath(statusFile)}; } 2>/dev/null
  { IFS= read -r -d '' text <${jobPath(statusFile)}; } 2>/dev/null
  [ "\${#text}" -eq "$since" ] || return 1
  case $text in *'"event":"ended"'*) return 1 ;; esac
  [ ! -e ${jobPath(swapMarkFile)} ] || return 1
  { IFS= read -r -d '' contact <${jobPath(contactFile)}; } 2>/dev/null
  [ -n "$contact" ] || return 1
  trap : ALRM
  guard_start ${seconds(LISTENER_PROBE_MS)} ALRM $$
  if { exec 5<>"/dev/tcp/$node/$port"; } 2>/dev/null; then
    if ! listener_may_sleep "$contact"; then answered=1
    elif { IFS= read -r -t ${seconds(LISTENER_PROBE_MS)} -n 256 -u 5 line; } 2>/dev/null && banner_ok tcp "$job" "$line"; then answered=1; fi
    exec 5>&-
  fi
  guard_stop
  [ -n "$answered" ]
}
${LISTENER_MAY_SLEEP}`;

// bye_start, then bye_answer: whether the job's sshd logged, as the last line
// about this relay's connection (fd 3), the client's ordinary goodbye:
// "Received disconnect from ADDR port PORT:11:" (SSH2_DISCONNECT_BY_APPLICATION,
// what ssh sends when its session is over). Then the client ended the
// session, and its own end, on its way (~40 ms later through a ControlMaster),
// need not be waited for. bye_answer returns 0 for the goodbye; 1 where the
// sshd accepted this connection and logged no goodbye as its last word about
// it (the job's side ended the session); 2 where it cannot tell (no address,
// IPv6, no log, the connection not in it). OpenSSH before 7.5 logs
// "Disconnected from ADDR port PORT" after the goodbye (a container image's
// sshd may be that old): that line is no word of its own. With perl, one perl finds the
// connection's address (getsockname) and reads the log, started in the
// background by bye_start; without, slurmhop_local_address (/proc/net/tcp,
// whose reading costs the kernel a walk of every socket) and grep, at the answer.
const BYE_PERL = `my ($f, $p, @a) = unpack("SnC4", getsockname(STDIN) // "");
exit 2 unless defined $f && $f == 2;
my $ip = join(".", @a);
open(my $log, "<", $ARGV[0]) or exit 2;
my ($last, $accepted);
while (<$log>) {
  next unless /from \\Q$ip\\E port $p(?![0-9])/ && index($_, "Disconnected from ") != 0;
  $last = $_;
  $accepted = 1 if /Accepted /;
}
exit 2 unless defined $last;
exit 0 if index($last, "Received disconnect from $ip port $p:11: ") == 0;
exit($accepted ? 1 : 2);`;

const CLIENT_SAID_BYE = `bye_start() {
  bye_pid=
  command -v perl >/dev/null 2>&1 || return 0
  perl -e ${bashWord(BYE_PERL)} ${jobPath(sshdLogFile)} <&3 >/dev/null 2>&1 &
  bye_pid=$!
}
bye_answer() {
  local addr hex ip lport lines
  if [ -n "$bye_pid" ]; then wait "$bye_pid"; return; fi
  slurmhop_local_address && [[ $addr =~ ^[0-9A-F]{8}:[0-9A-F]{4}$ ]] || return 2
  hex=\${addr%:*}; lport=$((16#\${addr#*:}))
  ip=$((16#\${hex:6:2})).$((16#\${hex:4:2})).$((16#\${hex:2:2})).$((16#\${hex:0:2}))
  lines=$(grep -E "from \${ip//./[.]} port $lport([^0-9]|$)" ${jobPath(sshdLogFile)} 2>/dev/null) || return 2
  while [[ \${lines##*$'\\n'} == 'Disconnected from '* && $lines == *$'\\n'* ]]; do lines=\${lines%$'\\n'*}; done
  [[ \${lines##*$'\\n'} == "Received disconnect from $ip port $lport:11: "* ]] && return 0
  [[ $lines == *"Accepted "* ]] && return 1
  return 2
}`;

// slurmhop_end STATUS REMOTE...: how the session ended, said. On the node
// (transport `node`: the relay srun runs there) it is only the exit status,
// which srun carries back to the login node.
const END = `slurmhop_end() {
  local status=$1 how; shift
  [ "$transport" != node ] || exit "$status"
  [ -z "$reg" ] || rm -f -- "$reg"
  # 5 is relay_finish's own only where it relayed tcp (srun's status passes through slurmhop_srun).
  case $status in 0) how=client ;; 3) how=server ;; 5) [ "$transport" = tcp ] && how=job || how=lost ;; *) how=lost ;; esac
  slurmhop_mark relay-finished
  if [ "$transport" = tcp ] && [ "$how" = client ] && { [ -n "$quiet" ] || quiet_end; }; then slurmhop_mark quiet-end; exit 0; fi
  slurmhop_fit || exit
  exec "$@" session-ended "$job" "$how" "$since" </dev/null
}`;

// Not the job's sshd on the port: the connect goes to the executable (`remote
// proxy PROFILE`), as if nothing had been tried; nothing was changed.
const STEP_ASIDE = `slurmhop_step_aside() {
  exec 3<&-
  if [ -n "\${slurmhop_lc_all+set}" ]; then LC_ALL=$slurmhop_lc_all; else unset LC_ALL; fi
  slurmhop_fit || exit
  exec "$@" proxy "\${connected#check:}"
}`;

// transport = srun: the relay runs on the node itself, inside the allocation
// (srun -u: unbuffered, the stream is binary), towards sshd on its loopback;
// srun passes its status back.
const SRUN = `slurmhop_srun() {
  srun --jobid="$job" --overlap --nodes=1 --ntasks=1 --nodelist="$node" --unbuffered --quiet /bin/bash -p -c "$BASH_EXECUTION_STRING" slurmhop-relay "$slurmhop_later" node 127.0.0.1 "$port" "$job" "$held" '' '' '' '' "$@"
  slurmhop_end $? "$@"
}`;

/** What the session's end needs (and the rarer paths: srun, a banner not the job's), read only then. */
function later(): string {
  return [GUARD, HALF_CLOSE, RELAY_FINISH, QUIET_END, CLIENT_SAID_BYE, fitAddressSpaceBash(), END, STEP_ASIDE, SRUN].join('\n');
}

// The session, straight-line: `bash -c SESSION slurmhop-session LATER TRANSPORT
// NODE PORT JOB HELD REG SINCE STATE CONNECTED REMOTE...`.
// - SINCE: the size of the job's status file when the session began.
// - CONNECTED: empty (this script dials), or `check:PROFILE` when fd 3 is the
//   sshd already and its banner is still to be read and checked here (the
//   front's warm path: this bash starts while the sshd prepares its banner).
// - REMOTE: how to run slurmhop again.
// - held bytes (what the client sent while the job started) go first;
// - the checked banner goes to the client first, then both directions start;
//   a background job's stdin is /dev/null unless redirected, hence fd 4; dd
//   with 16 KiB blocks both ways: cat's 128 KiB writes made uploads through
//   the ssh chain ~15% slower than nc's;
// - `wait -n` misses a job that ended before it was called (bash 5.2 too): one
//   of the two dd already gone is waited for by its pid;
// - ssh sends its ProxyCommand SIGHUP when it exits: that is the client's end
//   (both dd are stopped, so none is left holding the connection);
// - the client's stdout is kept until the end is explained, so the client
//   sees the connection close after the reason.
// It runs in the C locale (the relay and session-ended print ASCII only; bash
// and dd then load no locale), keeping the caller's for a connect it leaves
// to the executable.
const SESSION = `set +o posix
if [ -n "\${LC_ALL+set}" ]; then slurmhop_lc_all=$LC_ALL; fi
export LC_ALL=C
slurmhop_later=$1 transport=$2 node=$3 port=$4 job=$5 held=$6 reg=$7 since=$8 state=$9 connected=\${10}
shift 10
${MARK}
${BANNER_OK}
${LOCAL_ADDRESS}
${REGISTER}
down= up= hup= first= banner= quiet= dial=$node
if [ "\${connected%%:*}" = check ]; then
  dial=
  IFS= read -r -t ${seconds(BANNER_TIMEOUT_MS)} -n 256 -u 3 banner && banner_ok "$transport" "$job" "$banner" || { eval "$slurmhop_later"; slurmhop_step_aside "$@"; }
  slurmhop_mark banner-read
fi
[ "$transport" != srun ] || { eval "$slurmhop_later"; slurmhop_srun "$@"; }
trap "hup=1; kill \\$down \\$up 2>/dev/null" HUP
if [ -n "$dial" ] && ! exec 3<>"/dev/tcp/$dial/$port"; then eval "$slurmhop_later"; slurmhop_end 4 "$@"; fi
[ -z "$reg" ] || slurmhop_register
[ -z "$held" ] || { cat -- "$held" >&3; rm -f -- "$held"; }
[ -z "$banner" ] || printf '%s\\n' "$banner"
exec 4<&0
dd bs=16k status=none <&3 & down=$!
dd bs=16k status=none <&4 >&3 & up=$!
exec 0</dev/null 4<&-
slurmhop_mark relay-started
if [ "\${BASH_VERSINFO[0]}" -lt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -lt 3 ]; }; then wait "$down"
elif ! kill -0 "$up" 2>/dev/null; then wait "$up"
elif ! kill -0 "$down" 2>/dev/null; then wait "$down"
else wait -n; fi
first=$?
slurmhop_mark relay-ended
eval "$slurmhop_later"
relay_finish "$@"
slurmhop_end $? "$@"`;

/**
 * The hand-off's script: `bash -c SCRIPT slurmhop-session LATER TRANSPORT NODE
 * PORT JOB HELD REG SINCE STATE CONNECTED REMOTE...` (sessionArgs makes LATER).
 */
export function loginScript(): string {
  return SESSION;
}

/** The end's text, the script's first argument. */
export function laterText(): string {
  return later();
}
