// Hand the byte relay to a lean relay on the login node: a Node process holds
// ~50 MB for as long as a session is open. The proxy replaces itself (execve)
// with bash relaying through /dev/tcp with two dd (about 1 MB in all),
// which then runs `remote session-ended`, so the user is still told why a
// session ended. nc and ncat are not used: they do not exit when the server
// side closes while the client is still connected, so a job that ends would
// leave the ssh client hanging.
import fs from 'node:fs';
import type { Contact } from '../state/index.js';

export interface RelayProgram {
  bash: string;
}

// The relay itself. Positional parameters: HOST PORT HELD.
// - held bytes (what the client sent while the job started) go first;
// - a background job's stdin is /dev/null unless redirected, hence fd 4;
// - dd with 16 KiB blocks both ways: cat's 128 KiB writes made uploads through
//   the ssh chain ~15% slower than nc's (measured with npm run bench).
const RELAY = `
host=$1 port=$2 held=$3
exec 3<>"/dev/tcp/$host/$port"
if [ -n "$held" ]; then cat -- "$held" >&3; rm -f -- "$held"; fi
exec 4<&0
dd bs=16k status=none <&3 & down=$!
dd bs=16k status=none <&4 >&3 & up=$!
exec 0</dev/null 3>&- 4<&-
if [ "\${BASH_VERSINFO[0]}" -gt 4 ] || { [ "\${BASH_VERSINFO[0]}" -eq 4 ] && [ "\${BASH_VERSINFO[1]}" -ge 3 ]; }; then wait -n; else wait "$down"; fi
kill "$down" "$up" 2>/dev/null
wait
`.trim();

// On the login node. Positional parameters: TRANSPORT NODE PORT JOBID HELD REMOTE...
// bash keeps the client's stdout until `session-ended` has said why, so the
// client sees the connection close after the reason, never before.
// transport srun: the relay runs on the node itself, inside the allocation
// (srun -u: unbuffered, the stream is binary), towards sshd on its loopback.
const LOGIN_SCRIPT = `
transport=$1 node=$2 port=$3 job=$4 held=$5; shift 5
remote=("$@")
relay='${RELAY}'
if [ "$transport" = srun ]; then
  srun --jobid="$job" --overlap --nodes=1 --ntasks=1 --nodelist="$node" --unbuffered --quiet /bin/bash -c "$relay" slurmhop-relay 127.0.0.1 "$port" "$held"
else
  set -- "$node" "$port" "$held"
  eval "$relay"
fi
exec "\${remote[@]}" session-ended "$job" 0 </dev/null
`.trim();

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
}

export function handoffArgv({ contact, relay, remote, heldFile }: HandoffPlan): string[] {
  const args = [contact.transport ?? 'tcp', contact.node, String(contact.port), contact.jobId, heldFile ?? '', ...remote];
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
  const { NODE_OPTIONS: _ignored, ...clean } = env;
  // Node puts stdin in non-blocking mode once anything touches process.stdin (execa does
  // as it loads); the relay's dd would then fail with EAGAIN. Touching it here is harmless.
  (process.stdin as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(true);
  process.execve!(file!, [file!, ...args], clean);
  return true; // not reached
}
