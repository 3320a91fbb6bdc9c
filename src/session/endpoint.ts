// Connect to a job's sshd and make sure it is that job's: the banner carries
// `slurmhop-<jobid>` (VersionAddendum), so a port reused by another job or
// process is never mistaken for this session. transport = node-sshd: the
// node's own sshd has no such mark; it must answer as an SSH server, and the
// laptop checks its host key against the keys the job published.
import type { Socket } from 'node:net';
import { mark } from '../timing.js';
import { contactsForProfile, readBanner, removeContact, supervisorAlive, type Contact } from '../state/index.js';

export type Connect = (host: string, port: number, timeoutMs: number) => Promise<Socket>;

export interface Endpoint {
  socket: Socket;
  /** Bytes already read from the sshd (its banner, maybe more): the client gets them first. */
  preread: Buffer;
}

export class NotThisJobError extends Error {}

/** What OpenSSH's sshd writes before it closes a connection it will not serve now. */
const SSHD_BUSY = /^(Exceeded (PerSource)?MaxStartups|Not allowed at this time)\b/;

/** The first line a contact's sshd must answer with (the front of `remote` checks the same in bash: front/). */
export function expectedBanner(contact: Pick<Contact, 'jobId' | 'transport'>): RegExp {
  return contact.transport === 'node-sshd' ? /^SSH-(2\.0|1\.99)-/ : new RegExp(`^SSH-2\\.0-\\S+.*\\bslurmhop-${contact.jobId}\\b`);
}

export async function connectToJob(connect: Connect, contact: Contact, timeoutMs: number): Promise<Endpoint> {
  const socket = await connect(contact.node, contact.port, timeoutMs);
  mark('tcp-connected');
  try {
    const preread = await readBanner(socket);
    mark('banner-read');
    const banner = preread.toString('latin1').split('\n')[0]!;
    if (!expectedBanner(contact).test(banner)) {
      const as = contact.transport === 'node-sshd' ? "as the node's sshd" : `as job ${contact.jobId}`;
      const answer = `${contact.node}:${contact.port} answers as ${JSON.stringify(banner.trim())}, not ${as}`;
      // sshd refusing a connection for now (too many at once, a penalty) is no proof
      // that the job is gone: forgetting its contact would strand every later connect.
      throw SSHD_BUSY.test(banner) ? new Error(answer) : new NotThisJobError(answer);
    }
    return { socket, preread };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

export const WARM_CONNECT_TIMEOUT_MS = 3_000;

/**
 * The warm path's search: the newest contact of the profile whose job answers.
 * A transport = srun contact comes without an endpoint (the login node cannot
 * reach the node's loopback; srun finds out whether the job runs). A contact
 * answered by something else is forgotten.
 */
export async function answeringJob(state: string, profile: string, connect: Connect): Promise<{ contact: Contact; endpoint?: Endpoint } | undefined> {
  const contacts = contactsForProfile(state, profile);
  mark('contacts-read');
  for (const contact of contacts) {
    // A job whose supervisor stopped keeping its mark died uncleanly: the cold path asks Slurm.
    if (contact.alive && !supervisorAlive(state, contact.jobId)) continue;
    if (contact.transport === 'srun') return { contact };
    try {
      return { contact, endpoint: await connectToJob(connect, contact, WARM_CONNECT_TIMEOUT_MS) };
    } catch (err) {
      if (err instanceof NotThisJobError) removeContact(state, contact.jobId);
    }
  }
  return undefined;
}
