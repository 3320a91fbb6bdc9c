// The contact file: how a job tells the login node where its sshd listens.
// Written by the job only once sshd accepts connections; removed when it ends.
// Beside it, an index of the live contacts per profile (`live/<profile>/<jobid>`),
// so the warm path reads a handful of files however many old jobs the state holds.
import fs from 'node:fs';
import path from 'node:path';
import { readFileOrUndefined, writeFileAtomic } from '../fsutil.js';
import { contactFile, liveDir, liveProfileDir } from '../paths.js';

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
  /** The job keeps a liveness mark (state/alive.ts); absent in contacts of older versions. */
  alive?: boolean;
  /** The software version of the job's own sshd, from its banner (`OpenSSH_9.2p1` on Debian, `OpenSSH_8.0` upstream); absent in contacts of older versions. */
  sshdVersion?: string;
}

/** A live index entry; throws for a profile name that is none (it would leave live/). */
function liveEntry(state: string, profile: string, jobId: string): string {
  const dir = liveProfileDir(state, profile);
  if (!dir || !/^\d+$/.test(jobId)) throw new Error(`not a profile and job id: ${JSON.stringify(profile)} ${JSON.stringify(jobId)}`);
  return path.join(dir, jobId);
}

/** The contact, then its index entry: whoever finds the entry finds the contact. */
export function writeContact(state: string, contact: Contact): void {
  writeFileAtomic(contactFile(state, contact.jobId), `${JSON.stringify(contact)}\n`);
  indexContact(state, contact);
}

/** The index entry alone: for a contact found through the scheduler (one an older version wrote without it). */
export function indexContact(state: string, contact: Pick<Contact, 'jobId' | 'profile'>): void {
  const entry = liveEntry(state, contact.profile, contact.jobId);
  fs.mkdirSync(path.dirname(entry), { recursive: true, mode: 0o700 });
  fs.writeFileSync(entry, '', { mode: 0o600 });
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

/** The index entry first, then the contact; `profile` finds the entry of a contact that cannot be read. */
export function removeContact(state: string, jobId: string, profile: string | undefined = readContact(state, jobId)?.profile): void {
  if (profile !== undefined && liveProfileDir(state, profile)) fs.rmSync(liveEntry(state, profile, jobId), { force: true });
  fs.rmSync(contactFile(state, jobId), { force: true });
}

/** The files that say a job is reachable: what must go when it ends, however it ends. */
export function contactFiles(state: string, contact: Pick<Contact, 'jobId' | 'profile'>): string[] {
  return [liveEntry(state, contact.profile, contact.jobId), contactFile(state, contact.jobId)];
}

/** The job ids a profile's index lists (a directory read: never answered from a cached lookup). */
export function liveJobIds(state: string, profile: string): string[] {
  const dir = liveProfileDir(state, profile);
  if (!dir) return [];
  try {
    return fs.readdirSync(dir).filter((i) => /^\d+$/.test(i));
  } catch {
    return [];
  }
}

/** The profiles with an index. */
export function liveProfiles(state: string): string[] {
  try {
    return fs.readdirSync(liveDir(state)).filter((p) => liveProfileDir(state, p) !== undefined);
  } catch {
    return [];
  }
}

/**
 * Contacts of a profile, newest first. An entry whose contact cannot be read
 * here is skipped, never removed: on a network home this host may not see a
 * contact another node wrote a moment ago. Entries of ended jobs go when the
 * scheduler says so (session/jobs.ts) or with the job.
 */
export function contactsForProfile(state: string, profile: string): Contact[] {
  const contacts: Contact[] = [];
  for (const id of liveJobIds(state, profile)) {
    const contact = readContact(state, id);
    if (contact?.profile === profile) contacts.push(contact);
  }
  return contacts.sort((a, b) => Number(b.jobId) - Number(a.jobId));
}

/** Every live contact, of every profile. */
export function allContacts(state: string): Contact[] {
  return liveProfiles(state).flatMap((p) => contactsForProfile(state, p));
}
