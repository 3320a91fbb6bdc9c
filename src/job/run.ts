// `remote job <profile>`: what runs inside the batch job. It starts the sshd
// (transport = node-sshd: finds the node's own), publishes the contact file
// once sshd is ready, and cleans up when the job ends.
import fs from 'node:fs';
import os from 'node:os';
import { SlurmhopError } from '../errors.js';
import { ensurePrivateDir } from '../fsutil.js';
import { aliveFile, jobDir, relaysDir, swapMarkFile, vscodeServersFile } from '../paths.js';
import { listJobs } from '../slurm/index.js';
import { appendStatus, contactFiles, hasSubmittedRecord, keepAlive, pruneEndedJobs, removeContact, writeContact, type EndReason } from '../state/index.js';
import type { JobContext, JobSettings, SessionServer } from './context.js';
import { JobEnd } from './end.js';
import { gpusBusy } from './gpu.js';
import { Guard } from './guard.js';
import { watchIdle } from './idle.js';
import { authenticatedSessions } from './sessions.js';
import { startNodeSshd } from './node-sshd.js';
import { jobMemoryCgroup, memoryKillText, memoryLimit, watchMemoryKills, type MemoryCgroup } from './memory-kills.js';
import { scheduleWalltimeWarnings, sessionTerminals, tellTerminals, type Terminal } from './walltime.js';
import { Renewal } from './renew.js';
import { renewalDeps } from './renew-deps.js';
import { startSessionServer } from './session-server.js';
import { recordVscodeServers } from './vscode-servers.js';

const SIGNAL_GRACE_MS = 1_000;
const PRUNE_AFTER_READY_MS = 30_000;
const UNCLAIMED_GRACE_S = 120;

/** Resolves with the reason the job ended, after cleaning up. */
export async function runJob(ctx: JobContext, settings: JobSettings): Promise<EndReason> {
  const jobId = ctx.env.SLURM_JOB_ID;
  if (!jobId) {
    throw new SlurmhopError('usage', '"remote job" runs inside a Slurm batch job (SLURM_JOB_ID is not set)', `to start a session, use "remote proxy ${settings.profile}"`);
  }
  const node = ctx.env.SLURMD_NODENAME || os.hostname();
  const base = { jobId, profile: settings.profile };
  const startedAt = Date.now();
  // Listen for Slurm's signals before anything else: a cancel during start-up must still be recorded.
  const end = new JobEnd(ctx.signals);
  const guard = Guard.start();
  ensurePrivateDir(jobDir(ctx.stateDir, jobId));
  appendStatus(ctx.stateDir, { event: 'started', ...base, node });
  ctx.log({ type: 'job-started', jobId, profile: settings.profile, node });

  // The end is recorded once. A cancel during a slow start (an image import, a slow sshd)
  // is recorded at once: a waiting connect reads why, not only that Slurm forgot the job.
  let ready = false;
  let endRecorded = false;
  const recordEnd = (reason: EndReason, detail?: string) => {
    if (endRecorded) return;
    endRecorded = true;
    appendStatus(ctx.stateDir, { event: 'ended', ...base, reason, ...(detail ? { detail } : {}) });
  };
  void end.promise.then((reason) => {
    if (!ready) recordEnd(reason);
  });

  let sshd: SessionServer;
  try {
    sshd = settings.transport === 'node-sshd' ? await (ctx.startNodeSshd ?? startNodeSshd)(node, relaysDir(ctx.stateDir, jobId)) : await startSessionServer(ctx, settings, jobId);
  } catch (err) {
    end.dispose();
    guard.done();
    // A cancel during a slow start (an image import) kills what it runs: that is the reason, not the failure it causes.
    if (end.reason) {
      recordEnd(end.reason);
      throw err;
    }
    // The whole output of a program that failed (a container runtime) goes to the job's log; the message keeps its gist.
    if (err instanceof SlurmhopError && err.details) ctx.log({ type: 'info', message: err.details });
    const detail = (err as Error).message.split('\n')[0];
    recordEnd('sshd-failed', detail);
    throw err;
  }
  guard.watch(sshd.leftovers ?? []);
  sshd.exited.then(async (signal) => {
    // Slurm signals sshd and this process together (scancel, time limit), and sshd
    // catches SIGTERM and exits normally: give our own signal a moment to arrive
    // before calling it an sshd that exited by itself.
    if (signal !== 'SIGTERM') await new Promise((resolve) => setTimeout(resolve, SIGNAL_GRACE_MS));
    end.settle(signal === 'SIGTERM' ? end.fromSignal(signal) : 'sshd-exited');
  });

  let stopIdle = () => {};
  let stopWarnings = () => {};
  let stopAlive = () => {};
  let stopUnclaimed = () => {};
  let stopMemoryWatch = () => {};
  let stopServers = () => {};
  let renewal: Renewal | undefined;
  if (!end.settled) {
    ready = true;
    const hostKeys = sshd.hostKeys ? { hostKeys: sshd.hostKeys } : {};
    // The login node's relay reads it at a session's end (session/listener-probe.ts).
    const software = sshd.software ? { sshdVersion: sshd.software } : {};
    const contact = { version: 1, ...base, node, port: sshd.port, user: ctx.user, pid: process.pid, readyAt: new Date().toISOString(), transport: settings.transport ?? 'tcp', alive: true, ...hostKeys, ...software };
    guard.watch([...contactFiles(ctx.stateDir, base), aliveFile(ctx.stateDir, jobId)].map((remove) => ({ remove })));
    stopAlive = keepAlive(ctx.stateDir, contact);
    writeContact(ctx.stateDir, contact);
    appendStatus(ctx.stateDir, { event: 'ready', ...base, node, port: sshd.port, contact });
    // remote cleanup cannot see this node's processes: what VS Code servers run here is written down.
    stopServers = recordVscodeServers(vscodeServersFile(ctx.stateDir, jobId), process.getuid?.());
    ctx.log({ type: 'sshd-ready', jobId, node, port: sshd.port });
    // Housekeeping, off every connect's path: old jobs' directories and output go after the retention period.
    setTimeout(() => pruneEndedJobs(ctx.stateDir), PRUNE_AFTER_READY_MS).unref();
    const root = sshd.terminalsRoot;
    const connections = sshd.sessions ?? (root !== undefined ? () => authenticatedSessions(root, ctx.user) : undefined);
    const otherActivity = settings.idleGpu ? () => gpusBusy(ctx.env) : undefined;
    if (settings.idleTimeout > 0 && (sshd.uncountable || !connections)) {
      ctx.log({ type: 'warn', message: `idle_timeout is off for this job: ${sshd.uncountable ?? 'its sessions cannot be counted'}; it runs to its time limit unless cancelled` });
    } else if (settings.idleTimeout > 0 && connections) {
      stopIdle = watchIdle({ connections, idleSeconds: settings.idleTimeout, onIdle: () => end.settle('idle'), ...(otherActivity ? { otherActivity } : {}) });
    }
    // A job no connect recorded was submitted by an sbatch that got no answer: unused, it must not hold the allocation.
    if (connections && !hasSubmittedRecord(ctx.stateDir, jobId)) {
      const claimed = () => hasSubmittedRecord(ctx.stateDir, jobId);
      stopUnclaimed = watchIdle({ connections: () => (claimed() ? 1 : connections()), idleSeconds: UNCLAIMED_GRACE_S, onIdle: () => end.settle('unclaimed') });
    }
    const terminals = sshd.terminals ?? (root !== undefined ? () => sessionTerminals(root) : undefined);
    stopMemoryWatch = watchMemory(ctx, settings.profile, jobId, terminals);
    const renewing = new Renewal(renewalDeps(ctx), { jobId, profile: settings.profile, startedAt, connections: sshd.uncountable ? undefined : connections, otherActivity, terminals });
    renewal = renewing;
    const warn = (endTime: number | undefined) => {
      end.endTime = endTime;
      if (!end.settled) renewing.setEndTime(endTime);
      if (end.settled || endTime === undefined || !settings.warnBefore?.length || !terminals) return;
      stopWarnings = scheduleWalltimeWarnings({
        jobId,
        profile: settings.profile,
        endTime,
        before: settings.warnBefore,
        terminals,
        onWarned: (terminals) => ctx.log({ type: 'walltime-warning', jobId, terminals }),
        beforeWarning: () => renewing.beforeWarning(),
      });
    };
    // A Slurm that exports no SLURM_JOB_END_TIME (20.11) is asked in the background, so that a
    // cancel during the question is recorded at once (a proxy reads the reason within a second).
    const fromEnv = endTimeFromEnv(ctx.env);
    if (fromEnv !== undefined) warn(fromEnv);
    else void expectedEnd(ctx, jobId).then(warn);
  }

  const signalled = await end.promise;
  stopIdle();
  stopUnclaimed();
  stopServers();
  stopWarnings();
  stopMemoryWatch();
  end.dispose();
  const confirmed = renewal ? await renewal.confirmEnd(signalled) : signalled;
  // `remote swap` marks the job it ends: its scancel is a move, not a cancel.
  const reason = confirmed === 'cancelled' && fs.existsSync(swapMarkFile(ctx.stateDir, jobId)) ? 'swapped' : confirmed;
  // The reason first, then the contact: a proxy that finds no contact can read why.
  stopAlive(); // first: its beat would publish the contact again
  recordEnd(reason);
  removeContact(ctx.stateDir, jobId);
  ctx.log({ type: 'job-ending', jobId, reason });
  // Before sshd's stop (a container's may be slow): a successor outliving a cancel must go while Slurm lets this process run.
  await renewal?.finish(reason);
  await sshd.stop();
  guard.done();
  return reason;
}

/** Where the job's memory cgroup counts kills: each new one recorded and told to the session's terminals. */
function watchMemory(ctx: JobContext, profile: string, jobId: string, terminals: (() => Terminal[]) | undefined): () => void {
  let cgroup: MemoryCgroup | undefined;
  try {
    cgroup = jobMemoryCgroup(jobId, fs.readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    cgroup = undefined;
  }
  if (!cgroup) return () => {};
  const found = cgroup;
  return watchMemoryKills(found, (kills) => {
    const limitBytes = memoryLimit(found);
    try {
      appendStatus(ctx.stateDir, { event: 'memory-killed', jobId, profile, kills, ...(limitBytes ? { limitBytes } : {}) });
    } catch {
      // a full home: the terminals are still told
    }
    const told = terminals ? tellTerminals(terminals(), memoryKillText(jobId, profile, limitBytes)) : [];
    ctx.log({ type: 'warn', message: `the job's memory limit was reached: the kernel killed ${kills} process(es)${told.length ? ` (told ${told.join(', ')})` : ''}` });
  });
}

/** Newer Slurm exports the end time; older ones are asked once, after the session is ready. */
function endTimeFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const seconds = Number(env.SLURM_JOB_END_TIME);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
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
