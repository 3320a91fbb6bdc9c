// The server a session connects to: the job's own sshd on the node (or, with a
// container, inside it). One shape for run.ts, whatever starts it.
import os from 'node:os';
import { sshdConfigFile, sshdLogFile } from '../paths.js';
import { writeFileAtomic } from '../fsutil.js';
import { ALIVE_STATES, listJobs } from '../slurm/index.js';
import { renderSshdConfig, type SshdFeatures } from '../templates/index.js';
import { sessionEnvironment } from './environment.js';
import { ensureHostKey } from './hostkey.js';
import type { JobContext, JobSettings, SessionServer } from './context.js';
import { prepareContainer, type ContainerSettings } from './container/index.js';
import { findSshd, sshdFeatures, startSshd, type RunningSshd } from './sshd.js';
import { sessionSources } from './session-sources.js';

export async function startSessionServer(ctx: JobContext, settings: JobSettings, jobId: string): Promise<SessionServer> {
  return settings.container ? startContainerSshd(ctx, settings, settings.container, jobId) : startSessionSshd(ctx, settings, jobId);
}

async function startSessionSshd(ctx: JobContext, settings: JobSettings, jobId: string): Promise<SessionServer> {
  const hostKey = await ensureHostKey(ctx.stateDir);
  const sshdPath = findSshd(settings.sshd, ctx.env);
  const { passed, skipped } = sessionEnvironment(ctx.env);
  if (skipped.length) ctx.log({ type: 'env-skipped', names: skipped });
  const features = await sshdFeatures(sshdPath, hostKey);
  const sshd = await startSshd({
    listenAddress: listenAddress(settings),
    sshd: sshdPath,
    logFile: sshdLogFile(ctx.stateDir, jobId),
    configFor: configWriter(ctx, settings, jobId, { hostKey, env: passed, features, sessionSources: await exemptSources(ctx, settings, features) }),
  });
  return {
    port: sshd.port,
    exited: sshd.exited,
    software: sshd.software,
    terminalsRoot: sshd.process.pid,
    stop: async () => terminate(sshd),
    leftovers: sshd.process.pid ? [{ kill: sshd.process.pid }] : [],
  };
}

const listenAddress = (settings: JobSettings) => (settings.transport === 'srun' ? '127.0.0.1' : '0.0.0.0');

/** Writes the job's sshd_config for a port (startSshd may try several) and returns its path. */
function configWriter(ctx: JobContext, settings: JobSettings, jobId: string, sshd: { hostKey: string; env: Record<string, string>; features: SshdFeatures; sessionSources: string[] }) {
  return (port: number): string => {
    const file = sshdConfigFile(ctx.stateDir, jobId);
    writeFileAtomic(file, renderSshdConfig({ jobId, profile: settings.profile, user: ctx.user, port, listenAddress: listenAddress(settings), ...sshd }));
    return file;
  };
}

/** The addresses exempt from sshd's penalties (where it has them), said in the job's output. */
async function exemptSources(ctx: JobContext, settings: JobSettings, features: SshdFeatures): Promise<string[]> {
  if (!features.penalties) return [];
  const { addresses, note } = await sessionSources(ctx.env, settings.transport);
  ctx.log({ type: 'info', message: addresses.length ? `sshd penalises failing addresses, except ${note}` : `sshd penalties off: ${note}` });
  return addresses;
}

function terminate(sshd: RunningSshd): void {
  if (sshd.process.exitCode === null && sshd.process.signalCode === null) sshd.process.kill('SIGTERM');
}

/** The same sshd, started by the container runtime inside the image (found there by a probe run). */
async function startContainerSshd(ctx: JobContext, settings: JobSettings, container: ContainerSettings, jobId: string): Promise<SessionServer> {
  const hostKey = await ensureHostKey(ctx.stateDir);
  const node = ctx.env.SLURMD_NODENAME || os.hostname();
  const log = (message: string) => ctx.log({ type: 'preparing', message });
  const prepared = await prepareContainer(container, { env: ctx.env, stateDir: ctx.stateDir, node, jobId, hostKey, sshd: settings.sshd, log, jobsAlive: (ids) => jobsAlive(ctx, ids) });
  const { passed, skipped } = sessionEnvironment(prepared.sessionEnv);
  if (skipped.length) ctx.log({ type: 'env-skipped', names: skipped });
  log(`starting sshd in ${prepared.run.describe}`);
  const names: string[] = [];
  const name = () => names.at(-1)!;
  const removeAll = () => Promise.all(names.map((n) => prepared.run.remove?.(n)));
  const sshd = await startSshd({
    listenAddress: listenAddress(settings),
    sshd: prepared.probe.sshd,
    skipCheck: true,
    command: (config) => {
      names.push(`slurmhop-${jobId}-${names.length + 1}`);
      return prepared.run.argv([prepared.probe.sshd, '-D', '-e', '-f', config], name());
    },
    logFile: sshdLogFile(ctx.stateDir, jobId),
    configFor: configWriter(ctx, settings, jobId, { hostKey, env: passed, features: prepared.probe.features, sessionSources: await exemptSources(ctx, settings, prepared.probe.features) }),
  }).catch(async (err: unknown) => {
    // An sshd that never answered was killed, but podman's container may live on without it.
    await removeAll();
    await prepared.run.release?.();
    throw err;
  });
  const mainPid = (await prepared.run.mainPid?.(name())) ?? sshd.process.pid;
  return {
    port: sshd.port,
    exited: sshd.exited,
    software: sshd.software,
    terminalsRoot: mainPid,
    leftovers: [...(sshd.process.pid ? [{ kill: sshd.process.pid }] : []), ...(prepared.run.leftovers?.(name()) ?? [])],
    stop: async () => {
      terminate(sshd);
      await removeAll();
      await prepared.run.release?.();
    },
  };
}

/** One squeue call; when Slurm does not answer, every job counts as alive (nothing is removed then). */
async function jobsAlive(ctx: JobContext, ids: string[]): Promise<Set<string>> {
  try {
    return new Set((await listJobs(ctx.run, { user: ctx.user, jobIds: ids })).filter((j) => ALIVE_STATES.has(j.state)).map((j) => j.id));
  } catch {
    return new Set(ids);
  }
}
