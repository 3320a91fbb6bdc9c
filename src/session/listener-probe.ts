// Whether a job's sshd still listens, asked at a session's end: Slurm's end of
// the job signals its sshd with the session, so a listener still there means
// an ordinary end (said at once, the client's pipes not held for a wait).
//
// OpenSSH before 8.7 checks for SIGTERM between select() calls only (bz#2158,
// fixed in 8.7 with pselect): a SIGTERM that lands while it handles anything
// else leaves it asleep, its listening socket open, until the next connect
// wakes it, and the kernel completes that connect. There the probe waits for
// the banner, which a dying listener never sends (it closes its socket, and
// the connect is reset); that waits for the sshd's fork and banner, ~5-10 ms.
// A listener of 8.7 or later acts on the signal at once: a connect is answer
// enough, and the end does not wait for the banner. Bash gives connect and
// banner 300 ms together, Node each its own: where they differ, bash leaves
// the end to `remote session-ended`, which asks again.
import { readBanner } from '../state/index.js';
import type { Contact } from '../state/index.js';
import type { Connect } from './endpoint.js';
import { expectedBanner } from './endpoint.js';

/** How long the look at the job's sshd may take (a node on the login node's network answers in ms). */
export const LISTENER_PROBE_MS = 300;

/** The first OpenSSH whose listener cannot sleep through a SIGTERM. */
const SIGNAL_SAFE_OPENSSH = { major: 8, minor: 7 };

/** Whether a connect is not enough to tell this sshd's listener alive: an older OpenSSH, or one not known (an older contact). */
export function listenerMaySleep(sshdVersion: string | undefined): boolean {
  const m = /^OpenSSH_(\d+)\.(\d+)/.exec(sshdVersion ?? '');
  if (!m) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < SIGNAL_SAFE_OPENSSH.major || (major === SIGNAL_SAFE_OPENSSH.major && minor < SIGNAL_SAFE_OPENSSH.minor);
}

// listener_may_sleep CONTACT_TEXT: listenerMaySleep, for the relay's bash,
// from the contact file's text (its "sshdVersion").
export const LISTENER_MAY_SLEEP = `listener_may_sleep() {
  [[ $1 =~ \\"sshdVersion\\":\\"OpenSSH_([0-9]+)\\.([0-9]+) ]] || return 0
  local major=$((10#\${BASH_REMATCH[1]})) minor=$((10#\${BASH_REMATCH[2]}))
  (( major < ${SIGNAL_SAFE_OPENSSH.major} || (major == ${SIGNAL_SAFE_OPENSSH.major} && minor < ${SIGNAL_SAFE_OPENSSH.minor}) ))
}`;

/**
 * Whether the contact's sshd still listens: a connect, and where the listener
 * may sleep through its SIGTERM, the job's banner. Only for transport = tcp:
 * under srun it listens on the node's loopback, and with node-sshd the node's
 * sshd outlives the job.
 */
export async function jobSshdListens(connect: Connect, contact: Contact): Promise<boolean> {
  if ((contact.transport ?? 'tcp') !== 'tcp') return false;
  let socket;
  try {
    socket = await connect(contact.node, contact.port, LISTENER_PROBE_MS);
    if (!listenerMaySleep(contact.sshdVersion)) return true;
    const banner = (await readBanner(socket, LISTENER_PROBE_MS)).toString('latin1').split('\n')[0]!;
    return expectedBanner(contact).test(banner);
  } catch {
    return false;
  } finally {
    socket?.destroy();
  }
}
