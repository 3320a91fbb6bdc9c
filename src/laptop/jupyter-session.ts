// The ssh session that holds Jupyter in the job (jupyter-node.ts runs in it):
// its events as they come, the outcome of the start, and the stop: the
// session's input ends, the node stops Jupyter and what it started, and says
// so before the session closes.
import { requireSshProgram } from '../setup/index.js';
import type { LaptopEnv } from './env.js';
import { jupyterScript, parseNodeLine, type JupyterRequest, type NodeEvent, type ServerInfo } from './jupyter-node.js';
import type { ProfileTarget } from './profile.js';
import { holdArgs } from './tunnel.js';

export type StartOutcome =
  | { type: 'ready'; info: ServerInfo; version: string | undefined }
  /** Jupyter did not start: what the node said (missing, nodir, exited, timeout, failed), with its log. */
  | { type: 'failed'; event: NodeEvent; log: string[] }
  /** The session ended before Jupyter was ready (ssh's exit code). */
  | { type: 'closed'; code: number };

export interface JupyterSession {
  /** The node and job, as soon as the session landed. */
  landed: Promise<{ node: string; jobId: string | undefined } | undefined>;
  started: Promise<StartOutcome>;
  /** Jupyter exited on its own after it was ready (its log), or the session ended (the job did). */
  ended: Promise<{ code: number | undefined; log: string[] }>;
  /** Ends the session's input; resolves once the node said what it stopped, or after `timeoutMs` (ssh is then killed). */
  stop(timeoutMs: number): Promise<{ stopped: boolean; leftovers: number }>;
}

export function startJupyterSession(env: LaptopEnv, t: ProfileTarget, request: JupyterRequest, onInfo: (text: string) => void): JupyterSession {
  const ssh = requireSshProgram(env.laptop);
  const log: string[] = [];
  let ready = false;
  let failed: NodeEvent | undefined;
  let version: string | undefined;
  let info: ServerInfo | undefined;
  let stopped: { stopped: boolean; leftovers: number } | undefined;
  let resolveLanded: (v: Awaited<JupyterSession['landed']>) => void = () => {};
  let resolveStarted: (v: StartOutcome) => void = () => {};
  let resolveEnded: (v: Awaited<JupyterSession['ended']>) => void = () => {};
  const landed = new Promise<Awaited<JupyterSession['landed']>>((r) => (resolveLanded = r));
  const started = new Promise<StartOutcome>((r) => (resolveStarted = r));
  const ended = new Promise<Awaited<JupyterSession['ended']>>((r) => (resolveEnded = r));
  let exitedCode: number | undefined;

  const onEvent = (e: NodeEvent) => {
    switch (e.type) {
      case 'node':
        return resolveLanded({ node: e.node, jobId: e.jobId });
      case 'program':
        return onInfo(`starting ${e.kind === 'lab' ? 'JupyterLab' : 'Jupyter Notebook'} (${e.path})`);
      case 'version':
        version = e.version;
        return;
      case 'info':
        info = e.info;
        return;
      case 'ready':
        ready = true;
        return info ? resolveStarted({ type: 'ready', info, version }) : resolveStarted({ type: 'failed', event: { type: 'failed', what: 'no server file' }, log });
      case 'log':
        log.push(e.line);
        return;
      case 'stopped':
        stopped = { stopped: true, leftovers: e.leftovers };
        return;
      case 'exited':
        exitedCode = e.code;
        if (!ready) failed = e;
        return;
      case 'missing':
      case 'nodir':
      case 'failed':
      case 'timeout':
        failed = e;
        return;
    }
  };

  const session = env.start(ssh, [...holdArgs(env, t.cluster), t.host, '/bin/sh', '-s'], {
    onStdout: (line) => {
      const e = parseNodeLine(line);
      if (e) onEvent(e);
    },
    onStderr: (line) => env.err(`${line}\n`),
  });
  session.write(jupyterScript(request));
  void session.exited.then((code) => {
    resolveLanded(undefined);
    if (failed) resolveStarted({ type: 'failed', event: failed, log });
    else resolveStarted({ type: 'closed', code });
    resolveEnded({ code: exitedCode, log });
  });

  return {
    landed,
    started,
    ended,
    async stop(timeoutMs) {
      session.endInput();
      const timer = setTimeout(() => session.kill('SIGTERM'), timeoutMs);
      await session.exited;
      clearTimeout(timer);
      return stopped ?? { stopped: false, leftovers: 0 };
    },
  };
}
