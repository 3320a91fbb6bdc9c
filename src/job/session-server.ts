// The server a session connects to: the job's own sshd on the node (or, with a
// container, inside it). One shape for run.ts, whatever starts it.
import { sshdConfigFile, sshdLogFile } from '../paths.js';
import { writeFileAtomic } from '../fsutil.js';
import { renderSshdConfig } from '../templates/index.js';
import { sessionEnvironment } from './environment.js';
import { ensureHostKey } from './hostkey.js';
import type { JobContext, JobSettings } from './run.js';
import { findSshd, sshdAcceptsOption, startSshd } from './sshd.js';

export interface SessionServer {
  port: number;
  /** Settles when the server exits, with the signal that ended it, if any. */
  exited: Promise<NodeJS.Signals | null>;
  /** The process whose descendants hold the session terminals (walltime warnings). */
  terminalsRoot: number | undefined;
  stop(): Promise<void>;
}

export async function startSessionServer(ctx: JobContext, settings: JobSettings, jobId: string): Promise<SessionServer> {
  return startSessionSshd(ctx, settings, jobId);
}

async function startSessionSshd(ctx: JobContext, settings: JobSettings, jobId: string): Promise<SessionServer> {
  const hostKey = await ensureHostKey(ctx.stateDir);
  const sshdPath = findSshd(settings.sshd, ctx.env);
  const { passed, skipped } = sessionEnvironment(ctx.env);
  if (skipped.length) ctx.log({ type: 'env-skipped', names: skipped });
  const disablePenalties = await sshdAcceptsOption(sshdPath, hostKey, 'PerSourcePenalties=no');
  const sshd = await startSshd({
    listenAddress: listenAddress(settings),
    sshd: sshdPath,
    logFile: sshdLogFile(ctx.stateDir, jobId),
    configFor: (port) => {
      const file = sshdConfigFile(ctx.stateDir, jobId);
      const text = renderSshdConfig({ jobId, profile: settings.profile, user: ctx.user, port, listenAddress: listenAddress(settings), hostKey, env: passed, disablePenalties });
      writeFileAtomic(file, text);
      return file;
    },
  });
  return {
    port: sshd.port,
    exited: sshd.exited,
    terminalsRoot: sshd.process.pid,
    stop: async () => {
      if (sshd.process.exitCode === null && sshd.process.signalCode === null) sshd.process.kill('SIGTERM');
    },
  };
}

const listenAddress = (settings: JobSettings) => (settings.transport === 'srun' ? '127.0.0.1' : '0.0.0.0');
