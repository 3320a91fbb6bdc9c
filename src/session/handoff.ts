// Hand the byte relay to a lean relay on the login node: a Node process holds
// ~50 MB for as long as a session is open. The proxy replaces itself (execve)
// with bash relaying through /dev/tcp with two dd (about 1 MB in all),
// which then runs `remote session-ended`, so the user is still told why a
// session ended. nc and ncat are not used: they do not exit when the server
// side closes while the client is still connected, so a job that ends would
// leave the ssh client hanging.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { relaysDir } from '../paths.js';
import { mark } from '../timing.js';
import type { Contact } from '../state/index.js';

export interface RelayProgram {
  bash: string;
}

// The relay itself, a bash function: relay HOST PORT HELD REMOTE...
// - held bytes (what the client sent while the job started) go first;
// - a background job's stdin is /dev/null unless redirected, hence fd 4;
// - dd with 16 KiB blocks both ways: cat's 128 KiB writes made uploads through
//   the ssh chain ~15% slower than nc's (measured with npm run bench);
// - it half-closes, as the Node relay does: when the client's side ends first,
//   `remote shutdown-write` (given the socket) shuts the socket's write side,
//   so the server sees the end of input and can still finish; dd cannot;
// - transport = node-sshd: it registers, in the job's directory, the address
//   it connects from (as /proc/net/tcp writes it), so the job can count the
//   user's sessions where /proc hides the node's sshd (job/sessions.ts);
// - ssh sends its ProxyCommand SIGHUP when it exits: that is the client's end
//   (both dd are stopped, so none is left holding the connection);
// - it returns how the session ended: 0 the client ended it, 3 the server
//   closed it, 4 the connection was lost. bash older than 4.3 has no `wait -n`:
//   it waits for the server's side only and cannot tell 3 from 4 by direction.
const RELAY = `relay() {
  local host=$1 port=$2 held=$3 reg=$4 down= up= first guard hup= ino table inode addr; shift 4
  trap "hup=1; kill \\$down \\$up 2>/dev/null" HUP
  exec 3<>"/dev/tcp/$host/$port" || return 4
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
    "$@" shutdown-write <&3 >/dev/null 2>&1
    # A peer that never answers the half-close (a crashed node) must not keep the relay forever.
    # Waited for in the foreground (wait -n misses a job that ended before it is called), and
    # nothing is left behind to hold the session output: under srun the step lasts until it ends.
    timeout --foreground 30 tail -s 0.05 --pid="$down" -f /dev/null </dev/null >/dev/null 2>&1
    kill "$down" 2>/dev/null; wait; exec 3>&-
    return 0
  fi
  kill "$up" 2>/dev/null; wait; exec 3>&-
  [ "$first" -eq 0 ] && return 3 || return 4
}`;

// On the login node. Positional parameters: TRANSPORT NODE PORT JOBID HELD REG SINCE REMOTE...
// (SINCE: the size of the job's status file when the session began, for session-ended).
// bash keeps the client's stdout until `session-ended` has said why, so the
// client sees the connection close after the reason, never before.
// transport srun: the relay runs on the node itself, inside the allocation
// (srun -u: unbuffered, the stream is binary), towards sshd on its loopback;
// srun passes its status back.
const LOGIN_SCRIPT = `
transport=$1 node=$2 port=$3 job=$4 held=$5 reg=$6 since=$7; shift 7
remote=("$@")
relay_function='${RELAY}'
if [ "$transport" = srun ]; then
  srun --jobid="$job" --overlap --nodes=1 --ntasks=1 --nodelist="$node" --unbuffered --quiet /bin/bash -c "$relay_function"'
relay "$@"' slurmhop-relay 127.0.0.1 "$port" "$held" '' "\${remote[@]}"
  status=$?
else
  eval "$relay_function"
  relay "$node" "$port" "$held" "$reg" "\${remote[@]}"
  status=$?
  [ -z "$reg" ] || rm -f -- "$reg"
fi
case $status in 0) how=client ;; 3) how=server ;; *) how=lost ;; esac
exec "\${remote[@]}" session-ended "$job" "$how" "$since" </dev/null
`.trim();

/** Where a node-sshd relay of this process registers; undefined for the other transports (their sessions are counted on the node). */
export function relayRegistration(state: string, contact: Contact): string | undefined {
  return contact.transport === 'node-sshd' ? path.join(relaysDir(state, contact.jobId), `${os.hostname()}-${process.pid}`) : undefined;
}

export function findRelayProgram(): RelayProgram | undefined {
  for (const bash of ['/bin/bash', '/usr/bin/bash']) {
    try {
      fs.accessSync(bash, fs.constants.X_OK);
      return { bash };
    } catch {
      // next
    }
  }
  return undefined;
}

export interface HandoffPlan {
  contact: Contact;
  relay: RelayProgram;
  /** How to run slurmhop again afterwards (to say why the session ended). */
  remote: string[];
  /** A file with the bytes the client already sent; sent first, then removed. */
  heldFile?: string;
  /** transport = node-sshd: where the relay registers (see RELAY). */
  registration?: string;
  /** The size of the job's status file when the session began (state/status.ts statusSize). */
  statusSince?: number;
}

export function handoffArgv({ contact, relay, remote, heldFile, registration, statusSince }: HandoffPlan): string[] {
  const args = [contact.transport ?? 'tcp', contact.node, String(contact.port), contact.jobId, heldFile ?? '', registration ?? '', String(statusSince ?? ''), ...remote];
  return [relay.bash, '-c', LOGIN_SCRIPT, 'slurmhop-session', ...args];
}

/** Whether this process may replace itself with the relay (SLURMHOP_NODE_RELAY=1 keeps the Node relay). */
export function canHandOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof process.execve === 'function' && env.SLURMHOP_NODE_RELAY !== '1';
}

/** Replaces this process; returns false (and does nothing) where that is not possible. */
export function handOff(plan: HandoffPlan, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!canHandOff(env)) return false;
  const [file, ...args] = handoffArgv(plan);
  const { NODE_OPTIONS: _ignored, ...rest } = env;
  // The relay and `remote session-ended` print only ASCII: the C locale spares bash and
  // both dd loading the user's locale (1 MiB less RSS per session on the login node).
  const clean = { ...rest, LC_ALL: 'C' };
  // Node puts stdin in non-blocking mode once anything touches process.stdin (execa does
  // as it loads); the relay's dd would then fail with EAGAIN. Touching it here is harmless.
  (process.stdin as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(true);
  mark('execve');
  process.execve!(file!, [file!, ...args], clean);
  return true; // not reached
}
