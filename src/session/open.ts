// `remote proxy`: reach the profile's sshd (reusing or submitting a job) and
// relay the SSH stream. Stdout carries tunnel bytes only.
import fs from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { contactFile, jobsDir } from '../paths.js';
import { cancelJobs } from '../slurm/index.js';
import { acquireJob, type AcquiredJob } from './acquire.js';
import { contactsForProfile, type Contact } from './contact.js';
import type { SessionContext } from './context.js';
import { InputHold, relay, type RelayEnd } from './relay.js';
import { describeEnd, endedEvent } from './status.js';
import { JobFailedError, waitUntilReady } from './wait.js';

export interface Stdio {
  input: Readable;
  output: Writable;
}

const WARM_CONNECT_TIMEOUT_MS = 3_000;
const END_REASON_WAIT_MS = 1_500;

export async function openSession(ctx: SessionContext, profile: Profile, io: Stdio): Promise<void> {
  ensurePrivateDir(jobsDir(ctx.stateDir));
  // Warm path: a contact file and a TCP connect; no scheduler query.
  for (const contact of contactsForProfile(ctx.stateDir, profile.name)) {
    const socket = await ctx.connect(contact.node, contact.port, WARM_CONNECT_TIMEOUT_MS).catch(() => undefined);
    if (socket) return relayAndExplain(ctx, contact, socket, io, new InputHold(io.input));
  }
  const held = new InputHold(io.input);
  const contact = await waitForJob(ctx, profile, held);
  const socket = await connectReady(ctx, contact);
  return relayAndExplain(ctx, contact, socket, io, held);
}

async function waitForJob(ctx: SessionContext, profile: Profile, held: InputHold): Promise<Contact> {
  const controller = new AbortController();
  const interrupt = (why: string) => controller.abort(new SlurmhopError('interrupted', `stopped waiting: ${why}`));
  const onSignal = (signal: NodeJS.Signals) => interrupt(`received ${signal}`);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  held.onceEnded(() => interrupt('the ssh client closed the connection'));
  const started = ctx.now();
  let job: AcquiredJob | undefined;
  try {
    job = await acquireJob(ctx, profile);
    const contact = await waitUntilReady(ctx, profile, job, controller.signal);
    ctx.log({ type: 'ready', jobId: job.jobId, node: contact.node, port: contact.port, elapsedSeconds: (ctx.now() - started) / 1000 });
    return contact;
  } catch (err) {
    if (job?.submittedByUs && shouldCancel(err)) await cancelOwnJob(ctx, job.jobId, err as Error);
    throw err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

function shouldCancel(err: unknown): boolean {
  if (err instanceof JobFailedError) return err.stillRunning;
  return err instanceof SlurmhopError && (err.kind === 'pending-timeout' || err.kind === 'interrupted');
}

async function cancelOwnJob(ctx: SessionContext, jobId: string, why: Error): Promise<void> {
  try {
    await cancelJobs(ctx.run, [jobId]);
    ctx.log({ type: 'cancelled', jobId, why: why.message.split('\n')[0]! });
  } catch (err) {
    ctx.log({ type: 'warn', message: `could not cancel job ${jobId}: ${(err as Error).message}; cancel it with "remote cancel ${jobId}"` });
  }
}

/** The contact file is written once sshd accepts connections; retry briefly for a slow network. */
async function connectReady(ctx: SessionContext, contact: Contact): Promise<Socket> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await ctx.connect(contact.node, contact.port, 5_000);
    } catch (err) {
      lastError = err as Error;
      await ctx.sleep(300);
    }
  }
  throw new SlurmhopError(
    'connection-lost',
    `job ${contact.jobId} is ready on ${contact.node}:${contact.port}, but the login node cannot connect: ${lastError?.message}`,
    'the site may block ports between login and compute nodes; try "transport = srun" in the profile',
  );
}

async function relayAndExplain(ctx: SessionContext, contact: Contact, socket: Socket, io: Stdio, held: InputHold): Promise<void> {
  const end = await relay(socket, io.input, io.output, held);
  const why = await whySessionEnded(ctx, contact, end);
  socket.destroy();
  if (why) ctx.log({ type: 'session-ended', jobId: contact.jobId, why });
  await new Promise<void>((resolve) => io.output.end(resolve));
  if (why) throw new SlurmhopError('connection-lost', `the session on ${contact.node} ended: ${why}`);
}

/** Undefined for an ordinary end (the client hung up or logged out). */
async function whySessionEnded(ctx: SessionContext, contact: Contact, end: RelayEnd): Promise<string | undefined> {
  if (end.by === 'client') return undefined;
  const deadline = ctx.now() + END_REASON_WAIT_MS;
  do {
    const ended = endedEvent(ctx.stateDir, contact.jobId);
    if (ended) return describeEnd(ended.reason, ended.detail);
    if (!fs.existsSync(contactFile(ctx.stateDir, contact.jobId))) return 'the job ended';
    // The job's sshd and `remote job` get Slurm's SIGTERM together: give the latter time to say why.
    await ctx.sleep(100);
  } while (ctx.now() < deadline);
  return end.by === 'error' ? `connection lost: ${end.error.message}` : undefined;
}
