// known_hosts lines for a node-sshd session: the node's host keys as its job
// read them, under the name the laptop's ssh looks up (its HostKeyAlias).
// The laptop's KnownHostsCommand asks for them, so they follow the job from
// node to node while StrictHostKeyChecking stays on.
import type { Contact } from '../state/index.js';

const KEY = /^[a-z0-9@.-]+ [A-Za-z0-9+/]+=*$/;

/** A name known_hosts can hold as it is (no spaces, commas, patterns or markers). */
export const isKnownHostsName = (name: string) => /^[A-Za-z0-9_.:@[\]-]+$/.test(name);

export function knownHostsLines(contact: Contact | undefined, name: string): string[] {
  if (!isKnownHostsName(name)) return [];
  if (contact?.transport !== 'node-sshd') return [];
  return (contact.hostKeys ?? []).filter((k) => KEY.test(k)).map((k) => `${name} ${k}`);
}
