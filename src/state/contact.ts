// The contact file: how a job tells the login node where its sshd listens.
// Written by the job only once sshd accepts connections; removed when it ends.
import fs from 'node:fs';
import { readFileOrUndefined, writeFileAtomic } from '../fsutil.js';
import { contactFile, jobsDir } from '../paths.js';

export const CONTACT_VERSION = 1;

export interface Contact {
  version: number;
  jobId: string;
  profile: string;
  node: string;
  port: number;
  user: string;
  /** pid of `remote job` on the node. */
  pid: number;
  readyAt: string;
  /** How the login node reaches the sshd (absent: tcp). */
  transport?: 'tcp' | 'srun' | 'node-sshd';
  /** transport = node-sshd: the node's host keys (`type base64`), read by the job from the node's root-owned files. */
  hostKeys?: string[];
}

export function writeContact(state: string, contact: Contact): void {
  writeFileAtomic(contactFile(state, contact.jobId), `${JSON.stringify(contact)}\n`);
}

export function readContact(state: string, jobId: string): Contact | undefined {
  const text = readFileOrUndefined(contactFile(state, jobId));
  if (text === undefined) return undefined;
  try {
    const contact = JSON.parse(text) as Contact;
    return contact.version === CONTACT_VERSION && typeof contact.port === 'number' ? contact : undefined;
  } catch {
    return undefined; // a contact file from another version, or damaged: treat as absent
  }
}

export function removeContact(state: string, jobId: string): void {
  fs.rmSync(contactFile(state, jobId), { force: true });
}

/** Contacts of a profile, newest first. */
export function contactsForProfile(state: string, profile: string): Contact[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(jobsDir(state));
  } catch {
    return [];
  }
  return ids
    .filter((id) => /^\d+$/.test(id))
    .map((id) => readContact(state, id))
    .filter((c): c is Contact => c !== undefined && c.profile === profile)
    .sort((a, b) => Number(b.jobId) - Number(a.jobId));
}
