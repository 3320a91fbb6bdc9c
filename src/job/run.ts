// `remote job <profile>`: what runs inside the batch job. It starts the sshd,
// publishes the contact file once sshd is ready, and cleans up when the job ends.
import os from 'node:os';
import type { Profile } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil.js';
import type { Log } from '../log.js';
import { jobDir, sshdConfigFile, sshdLogFile, stateDir } from '../paths.js';
import { execaRunner, listJobs, type SlurmRunner } from '../slurm/index.js';
import { appendStatus, removeContact, writeContact, type EndReason } from '../session/index.js';
import { renderSshdConfig } from '../templates/index.js';
import { sessionEnvironment } from './environment.js';
import { ensureHostKey } from './hostkey.js';
import { findSshd, startSshd, type RunningSshd } from './sshd.js';

export interface JobContext {
  env: NodeJS.ProcessEnv;
  log: Log;
  run: SlurmRunner;
  stateDir: string;
  user: string;
}

export function defaultJobContext(log: Log): JobContext {
  return { env: process.env, log, run: execaRunner, stateDir: stateDir(), user: os.userInfo().username };
}

/** Resolves with the reason the job ended, after cleaning up. */
export async function runJob(ctx: JobContext, profile: Profile): Promise<EndReason> {
  const jobId = ctx.env.SLURM_JOB_ID;
  if (!jobId) {
    throw new SlurmhopError('usage', '"remote job" runs inside a Slurm batch job (SLURM_JOB_ID is not set)', `to start a session, use "remote proxy ${profile.name}"`);
  }
  const node = ctx.env.SLURMD_NODENAME || os.hostname();
  const base = { jobId, profile: profile.name };
  ensurePrivateDir(jobDir(ctx.stateDir, jobId));
  appendStatus(ctx.stateDir, { event: 'started', ...base, node });
  ctx.log({ type: 'info', message: `job ${jobId} (${profile.name}) started on ${node}` });

  let sshd: RunningSshd;
  try {
    const hostKey = await ensureHostKey(ctx.stateDir);
    const env = sessionEnvironment(ctx.env);
    sshd = await startSshd({
      sshd: findSshd(profile.sshd, ctx.env),
      logFile: sshdLogFile(ctx.stateDir, jobId),
      configFor: (port) => {
        const file = sshdConfigFile(ctx.stateDir, jobId);
        writeFileAtomic(file, renderSshdConfig({ jobId, profile: profile.name, user: ctx.user, port, listenAddress: '0.0.0.0', hostKey, env }));
        return file;
      },
    });
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0];
    appendStatus(ctx.stateDir, { event: 'ended', ...base, reason: 'sshd-failed', ...(detail ? { detail } : {}) });
    throw err;
  }
  const endTime = await expectedEnd(ctx, jobId);
  writeContact(ctx.stateDir, { version: 1, ...base, node, port: sshd.port, user: ctx.user, pid: process.pid, readyAt: new Date().toISOString() });
  appendStatus(ctx.stateDir, { event: 'ready', ...base, node, port: sshd.port });
  ctx.log({ type: 'info', message: `sshd ready on ${node}:${sshd.port}` });

  const reason = await untilEnd(sshd, endTime);
  // Contact first: from now on no proxy should try this sshd.
  removeContact(ctx.stateDir, jobId);
  appendStatus(ctx.stateDir, { event: 'ended', ...base, reason });
  ctx.log({ type: 'info', message: `job ${jobId} ending: ${reason}` });
  if (sshd.process.exitCode === null) sshd.process.kill('SIGTERM');
  return reason;
}

/** Slurm sends SIGTERM both for scancel and at the time limit: the clock tells which. */
function untilEnd(sshd: RunningSshd, endTime: number | undefined): Promise<EndReason> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'];
    const finish = (reason: EndReason) => {
      for (const s of signals) process.removeAllListeners(s);
      resolve(reason);
    };
    const fromSignal = (s: string): EndReason => {
      const nearLimit = endTime !== undefined && Date.now() >= endTime - 30_000;
      return s === 'SIGTERM' ? (nearLimit ? 'time-limit' : 'cancelled') : 'signal';
    };
    for (const s of signals) process.on(s, () => finish(fromSignal(s)));
    // Slurm signals sshd and this process together; either may be noticed first.
    sshd.process.once('exit', (_code, signal) => finish(signal === 'SIGTERM' ? fromSignal(signal) : 'sshd-exited'));
  });
}

async function expectedEnd(ctx: JobContext, jobId: string): Promise<number | undefined> {
  try {
    const [info] = await listJobs(ctx.run, { user: ctx.user, jobIds: [jobId] });
    const end = info?.endTime ? Date.parse(info.endTime) : NaN;
    return Number.isNaN(end) ? undefined : end;
  } catch {
    return undefined; // only used to tell a time limit from a cancel
  }
}
