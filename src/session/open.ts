// `remote proxy`: reach the profile's sshd (reusing or submitting a job) and
// relay the SSH stream. Stdout carries tunnel bytes only.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { jobDir, jobsDir } from '../paths.js';
import { statusSize, type Contact } from '../state/index.js';
import type { SessionContext } from './context.js';
import { answeringJob, connectToJob, NotThisJobError, type Endpoint } from './endpoint.js';
import { establish } from './establish.js';
import { whySessionEnded, type SessionEnd } from './explain-end.js';
import { canHandOff, handOff, relayRegistration } from './handoff.js';
import { interruptions } from './interrupt.js';
import { InputHold, relay, type RelayEnd } from './relay.js';
import { clientSaidBye, type LocalEnd } from './said-bye.js';

export interface Stdio {
  input: Readable;
  output: Writable;
}

export async function openSession(ctx: SessionContext, profile: Profile, io: Stdio): Promise<void> {
  ensurePrivateDir(jobsDir(ctx.stateDir));
  // Warm path: a contact file and a TCP connect; no scheduler query.
  const warm = await answeringJob(ctx.stateDir, profile.name, ctx.connect);
  if (warm && !warm.endpoint) return srunSession(ctx, warm.contact, []);
  if (warm?.endpoint) {
    handOffOrNot(ctx, warm.contact, warm.endpoint, []);
    return relayAndExplain(ctx, warm.contact, warm.endpoint, io, new InputHold(io.input));
  }
  const held = new InputHold(io.input);
  if (profile.transport === 'srun') {
    const contact = await coldWait(ctx, profile, held);
    return srunSession(ctx, contact, held.drain());
  }
  const { contact, endpoint } = await coldConnect(ctx, profile, held);
  if (!held.ended) handOffOrNot(ctx, contact, endpoint, held.drain());
  return relayAndExplain(ctx, contact, endpoint, io, held);
}

/**
 * Replace this process with the lean relay when the login node has one; what
 * the client already sent is written to a file the relay sends first. Returns
 * only when the hand-off is not possible (then this process relays).
 */
function handOffOrNot(ctx: SessionContext, contact: Contact, endpoint: Endpoint | undefined, held: Buffer[]): void {
  const relay = ctx.relayProgram();
  if (!relay || !canHandOff()) return;
  let heldFile: string | undefined;
  if (held.length) {
    heldFile = path.join(jobDir(ctx.stateDir, contact.jobId), `.held-${process.pid}`);
    fs.writeFileSync(heldFile, Buffer.concat(held), { mode: 0o600 });
  }
  endpoint?.socket.destroy();
  const registration = relayRegistration(ctx.stateDir, contact);
  handOff({ contact, relay, remote: ctx.remoteCommand, statusSince: statusSize(ctx.stateDir, contact.jobId), ...(heldFile ? { heldFile } : {}), ...(registration ? { registration } : {}) });
}

/** transport = srun: only the hand-off can relay (through srun, on the node). */
function srunSession(ctx: SessionContext, contact: Contact, held: Buffer[]): never {
  handOffOrNot(ctx, contact, undefined, held);
  throw new SlurmhopError('connection-lost', `transport = srun needs bash and a Node with process.execve on the login node`, 'use transport = tcp for this profile');
}

async function coldWait(ctx: SessionContext, profile: Profile, held: InputHold): Promise<Contact> {
  const interrupt = interruptions(held);
  const started = ctx.now();
  try {
    const { contact, job } = await establish(ctx, profile, interrupt.signal, async () => undefined);
    ctx.log({ type: 'ready', jobId: job.jobId, node: contact.node, port: contact.port, elapsedSeconds: (ctx.now() - started) / 1000 });
    return contact;
  } finally {
    interrupt.dispose();
  }
}

async function coldConnect(ctx: SessionContext, profile: Profile, held: InputHold): Promise<{ contact: Contact; endpoint: Endpoint }> {
  const interrupt = interruptions(held);
  const started = ctx.now();
  try {
    const { contact, value: endpoint } = await establish(ctx, profile, interrupt.signal, async (contact, job) => {
      const endpoint = await connectReady(ctx, contact);
      ctx.log({ type: 'ready', jobId: job.jobId, node: contact.node, port: contact.port, elapsedSeconds: (ctx.now() - started) / 1000 });
      return endpoint;
    });
    return { contact, endpoint };
  } finally {
    interrupt.dispose();
  }
}

/** The contact file is written once sshd accepts connections; retry briefly for a slow network. */
async function connectReady(ctx: SessionContext, contact: Contact): Promise<Endpoint> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await connectToJob(ctx.connect, contact, 5_000);
    } catch (err) {
      lastError = err as Error;
      if (err instanceof NotThisJobError) break;
      await ctx.sleep(300);
    }
  }
  throw new SlurmhopError(
    'connection-lost',
    `job ${contact.jobId} is ready on ${contact.node}:${contact.port}, but the login node cannot use it: ${lastError?.message}`,
    'the site may block ports between login and compute nodes: ask its admins, or see "remote doctor"',
  );
}

async function relayAndExplain(ctx: SessionContext, contact: Contact, endpoint: Endpoint, io: Stdio, held: InputHold): Promise<void> {
  // ssh sends its ProxyCommand SIGHUP when it exits: the client's end, not a reason to die mid-sentence.
  const since = statusSize(ctx.stateDir, contact.jobId);
  const local = { address: endpoint.socket.localAddress, port: endpoint.socket.localPort };
  const hangUp = new AbortController();
  const onHangUp = () => hangUp.abort();
  process.once('SIGHUP', onHangUp);
  const end = await relay(endpoint.socket, io.input, io.output, held, endpoint.preread, hangUp.signal).finally(() => process.off('SIGHUP', onHangUp));
  const why = await whySessionEnded(ctx, contact, sessionEnd(ctx, contact, end, local), since);
  endpoint.socket.destroy();
  if (why) ctx.log({ type: 'session-ended', jobId: contact.jobId, why });
  await new Promise<void>((resolve) => io.output.end(resolve));
  if (why) throw new SlurmhopError('connection-lost', `the session on ${contact.node} ended: ${why}`);
}

/**
 * A server-first end whose connection the job's sshd log shows with no goodbye
 * from the client is the job's side's (transport = tcp: the relay reaches the
 * job's own sshd). A goodbye changes nothing: ssh says one after a job's end too.
 */
function sessionEnd(ctx: SessionContext, contact: Contact, end: RelayEnd, local: LocalEnd): SessionEnd {
  if (end.by !== 'server' || (contact.transport ?? 'tcp') !== 'tcp') return end;
  return clientSaidBye(ctx.stateDir, contact.jobId, local) === 'no' ? { by: 'job' } : end;
}
