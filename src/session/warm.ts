// The warm path of `remote proxy`, run before the rest of the program is
// loaded: a contact file, a TCP connect that answers as the job's sshd, and the
// hand-off to the relay program. No config parsing, no scheduler, no execa.
// Anything unusual returns false, and the full program takes over.
import { stateDir } from '../paths.js';
import { selfCommand } from '../self.js';
import { contactsForProfile, removeContact } from './contact.js';
import { readCurrent } from './current.js';
import { connectToJob, NotThisJobError } from './endpoint.js';
import { findRelayProgram, handOff } from './handoff.js';
import { connectTcp } from './tcp.js';

const WARM_CONNECT_TIMEOUT_MS = 3_000;

export async function tryWarmHandoff(profile: string, beforeHandoff: () => void = () => {}): Promise<boolean> {
  if (typeof process.execve !== 'function' || process.env.SLURMHOP_NODE_RELAY === '1') return false;
  const relay = findRelayProgram();
  if (!relay) return false;
  const state = stateDir();
  const name = profile === '--current' ? readCurrent(state)?.profile : profile;
  if (!name) return false;
  for (const contact of contactsForProfile(state, name)) {
    // transport = srun: the login node cannot reach the node's loopback; srun finds out whether the job runs.
    if (contact.transport === 'srun') {
      beforeHandoff();
      return handOff({ contact, relay, remote: selfCommand() });
    }
    try {
      const { socket } = await connectToJob(connectTcp, contact, WARM_CONNECT_TIMEOUT_MS);
      socket.destroy();
    } catch (err) {
      if (err instanceof NotThisJobError) removeContact(state, contact.jobId);
      continue;
    }
    beforeHandoff();
    return handOff({ contact, relay, remote: selfCommand() });
  }
  return false;
}
