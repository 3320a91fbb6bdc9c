// The warm path of `remote proxy`, run before the rest of the program is
// loaded: a contact file, a TCP connect that answers as the job's sshd, and the
// hand-off to the relay program. No config parsing, no scheduler, no execa.
// Anything unusual returns false, and the full program takes over.
import { PROFILE_NAME, stateDir } from '../paths.js';
import { selfCommand } from '../self.js';
import { mark } from '../timing.js';
import { connectTcp, readCurrent, statusSize } from '../state/index.js';
import { answeringJob } from './endpoint.js';
import { canHandOff, findRelayProgram, handOff, relayRegistration } from './handoff.js';

export async function tryWarmHandoff(profile: string, beforeHandoff: () => void = () => {}): Promise<boolean> {
  if (!canHandOff()) return false;
  const relay = findRelayProgram();
  if (!relay) return false;
  const state = stateDir();
  const name = profile === '--current' ? readCurrent(state)?.profile : profile;
  // Checked before any file is touched: a name is a path component here (the full program says what is wrong with it).
  if (!name || !PROFILE_NAME.test(name)) return false;
  const found = await answeringJob(state, name, connectTcp);
  if (!found) return false;
  found.endpoint?.socket.destroy();
  beforeHandoff();
  mark('update-check-done');
  const registration = relayRegistration(state, found.contact);
  return handOff({ contact: found.contact, relay, remote: selfCommand(), statusSince: statusSize(state, found.contact.jobId), ...(registration ? { registration } : {}) });
}
