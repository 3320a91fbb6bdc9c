// Connect to a job's sshd and make sure it is that job's: the banner carries
// `slurmhop-<jobid>` (VersionAddendum), so a port reused by another job or
// process is never mistaken for this session. transport = node-sshd: the
// node's own sshd has no such mark; it must answer as an SSH server, and the
// laptop checks its host key against the keys the job published.
import type { Socket } from 'node:net';
import { contactsForProfile, removeContact, type Contact } from './contact.js';

export type Connect = (host: string, port: number, timeoutMs: number) => Promise<Socket>;

const BANNER_TIMEOUT_MS = 5_000;

export interface Endpoint {
  socket: Socket;
  /** Bytes already read from the sshd (its banner, maybe more): the client gets them first. */
  preread: Buffer;
}

export class NotThisJobError extends Error {}

export async function connectToJob(connect: Connect, contact: Contact, timeoutMs: number): Promise<Endpoint> {
  const socket = await connect(contact.node, contact.port, timeoutMs);
  try {
    const preread = await readBanner(socket);
    const banner = preread.toString('latin1').split('\n')[0]!;
    const expected = contact.transport === 'node-sshd' ? /^SSH-(2\.0|1\.99)-/ : new RegExp(`^SSH-2\\.0-\\S+.*\\bslurmhop-${contact.jobId}\\b`);
    if (!expected.test(banner)) {
      const as = contact.transport === 'node-sshd' ? "as the node's sshd" : `as job ${contact.jobId}`;
      throw new NotThisJobError(`${contact.node}:${contact.port} answers as ${JSON.stringify(banner.trim())}, not ${as}`);
    }
    return { socket, preread };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** Reads up to the end of the server's first line (its SSH banner); the bytes are kept for the client. */
export function readBanner(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', done);
      socket.off('end', onEnd);
      socket.pause();
      if (err) reject(err);
      else resolve(data);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.includes(0x0a) || data.length > 512) done();
    };
    const onEnd = () => done(new Error('the connection closed before the SSH banner'));
    const timer = setTimeout(() => done(new Error(`no SSH banner within ${BANNER_TIMEOUT_MS / 1000}s`)), BANNER_TIMEOUT_MS);
    socket.on('data', onData);
    socket.once('error', done);
    socket.once('end', onEnd);
  });
}

const WARM_CONNECT_TIMEOUT_MS = 3_000;

/**
 * The warm path's search: the newest contact of the profile whose job answers.
 * A transport = srun contact comes without an endpoint (the login node cannot
 * reach the node's loopback; srun finds out whether the job runs). A contact
 * answered by something else is forgotten.
 */
export async function answeringJob(state: string, profile: string, connect: Connect): Promise<{ contact: Contact; endpoint?: Endpoint } | undefined> {
  for (const contact of contactsForProfile(state, profile)) {
    if (contact.transport === 'srun') return { contact };
    try {
      return { contact, endpoint: await connectToJob(connect, contact, WARM_CONNECT_TIMEOUT_MS) };
    } catch (err) {
      if (err instanceof NotThisJobError) removeContact(state, contact.jobId);
    }
  }
  return undefined;
}
