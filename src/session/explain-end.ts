// Why a relayed session ended, in words for the user's terminal (stderr).
import fs from 'node:fs';
import { contactFile, swapMarkFile } from '../paths.js';
import { describeEnd, describeMemoryKills, endedEvent, jobContact, statusSince, watchJob, type Contact } from '../state/index.js';
import type { SessionContext } from './context.js';
import type { RelayEnd } from './relay.js';
import { jobSshdListens } from './listener-probe.js';

/** The job's sshd and `remote job` get Slurm's SIGTERM together: give the latter time to say why. */
const END_REASON_WAIT_MS = 3_000;
/**
 * The client may end first only because the job's end killed the command it
 * ran (Slurm signals the session and sshd at once): a short look for that.
 */
const CLIENT_END_WAIT_MS = 1_000;

/**
 * How the session ended, as its relay saw it; `job`: the server's side closed
 * first and the job's sshd log has no goodbye from the client (said-bye.ts),
 * so the job's side ended it: its sshd still listening says nothing then (Slurm
 * signals the session's sshd and its listener together, and either may go first).
 */
export type SessionEnd = RelayEnd | { by: 'job' };

/**
 * Undefined for an ordinary end (the client hung up or logged out, and the job
 * goes on). `since`: the size of the job's status file when the session began,
 * so that memory kills during the session are told (job/memory-kills.ts).
 */
export async function whySessionEnded(ctx: SessionContext, contact: Pick<Contact, 'jobId'>, end: SessionEnd, since?: number): Promise<string | undefined> {
  const deadline = ctx.now() + (end.by === 'client' ? CLIENT_END_WAIT_MS : END_REASON_WAIT_MS);
  let contactGone = false;
  let first = true;
  // A cached miss of the status name on this host must not hide the reason (state/status.ts watchJob).
  watchJob(ctx.stateDir, contact.jobId, false);
  const killed = () => (since === undefined ? undefined : describeMemoryKills(statusSince(ctx.stateDir, contact.jobId, since)));
  do {
    const ended = endedEvent(ctx.stateDir, contact.jobId);
    if (ended) return [killed(), describeEnd(ended.reason, ended.detail)].filter(Boolean).join('; then ');
    const memory = killed();
    if (memory) return memory;
    // Written before the swap cancels the job: known at once, however slow the job is to say so.
    if (fs.existsSync(swapMarkFile(ctx.stateDir, contact.jobId))) return describeEnd('swapped');
    contactGone = !fs.existsSync(contactFile(ctx.stateDir, contact.jobId));
    // Slurm's end signals the job's sshd with the session: a sshd that still listens
    // means an ordinary end, said at once (the client's pipes are not held for the wait).
    const current = first && (end.by === 'client' || end.by === 'server') ? jobContact(ctx.stateDir, contact.jobId) : undefined;
    if (current && (await jobSshdListens(ctx.connect, current))) return undefined;
    first = false;
    await ctx.sleep(100);
  } while (ctx.now() < deadline);
  if (end.by === 'client') return undefined;
  if (contactGone) return 'the job ended';
  return end.by === 'error' ? `connection lost: ${end.error.message}` : undefined;
}
