// The two chains compared: ours (ProxyCommand ... remote proxy cpu) and the
// floor (ProxyCommand ssh login nc NODE PORT) to the very same sshd.
import fs from 'node:fs';
import { stateOf, type Laptop } from '../../test/e2e/harness.js';

export { prepareUser } from '../../test/e2e/harness.js';

export interface Contact {
  jobId: string;
  node: string;
  port: number;
}

export function currentContact(user: string): Contact {
  const jobs = `${stateOf(user)}/jobs`;
  for (const id of fs.readdirSync(jobs).sort((a, b) => Number(b) - Number(a))) {
    const file = `${jobs}/${id}/contact`;
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Contact;
  }
  throw new Error(`no contact file for ${user}: is a session job running?`);
}

/** ssh arguments for the floor chain: same host settings, nc instead of remote proxy. */
export function floorArgs(laptop: Laptop, contact: Contact): string[] {
  return ['-F', laptop.config, '-o', `ProxyCommand=ssh -F ${laptop.config} login nc ${contact.node} ${contact.port}`];
}
