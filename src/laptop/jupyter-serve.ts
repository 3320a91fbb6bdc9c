// Jupyter from its start in the job to its stop: the session that holds it,
// the forward, the checks through the forward (it answers; it refuses a
// request without its token), the URL, then the wait for Ctrl-C or its end,
// and the orderly stop (the node stops Jupyter and what it started, then the
// forward goes). Returns the error to report (none after a stop) once the job
// it may have submitted is settled.
import { SetupError, setupError } from '../setup/index.js';
import type { LaptopEnv } from './env.js';
import { firstAnswer, httpStatus } from './http-check.js';
import type { SubmittedJob } from './job-choice.js';
import type { JupyterRequest, NodeEvent } from './jupyter-node.js';
import { startJupyterSession } from './jupyter-session.js';
import { openInBrowser } from './open-url.js';
import { LOOPBACK } from './ports.js';
import type { ProfileTarget } from './profile.js';
import { firstOf, stopRequests } from './stop-requests.js';
import { openTunnel } from './tunnel.js';

export interface ServeOptions {
  open: boolean;
  /** The local port for the remote one Jupyter took. */
  choosePort: (remotePort: number) => Promise<number>;
}

export interface Served {
  /** What went wrong, reported once the job is settled; none after a stop. */
  error?: SetupError | undefined;
  submitted?: SubmittedJob | undefined;
}

/** How long the node may take to stop Jupyter and its kernels (it waits 30 s for Jupyter itself). */
const STOP_MS = 45_000;

export async function serveJupyter(env: LaptopEnv, t: ProfileTarget, request: JupyterRequest, options: ServeOptions, isNew: (jobId: string | undefined) => boolean): Promise<Served> {
  const say = (text: string) => env.err(`slurmhop: ${text}\n`);
  const stop = stopRequests(env, () => say('stopping: a moment (Ctrl-C again does not speed it up)'));
  let submitted: SubmittedJob | undefined;
  let node = t.host;
  const session = startJupyterSession(env, t, request, (text) => say(`${text} on ${node}`));
  const fail = async (error: SetupError): Promise<Served> => {
    await session.stop(STOP_MS);
    return { error, submitted };
  };
  try {
    const landed = await firstOf({ landed: session.landed, stop: stop.first });
    if (landed.which === 'stop') return await stopAll(undefined);
    // ssh said why (its own message, or the proxy's).
    if (!landed.value) return { error: setupError('connect', `the session to ${t.host} ended before it started`, `"${t.sshLine}" shows why`), submitted };
    node = landed.value.node;
    if (landed.value.jobId && isNew(landed.value.jobId)) {
      submitted = { id: landed.value.jobId, node };
      say(`job ${submitted.id} on ${node} was submitted for this Jupyter: at the end it ${env.interactive ? 'ends, unless you say to keep it' : 'ends (--keep-job keeps it)'}`);
    }

    const started = await firstOf({ started: session.started, stop: stop.first });
    if (started.which === 'stop') return await stopAll(undefined);
    const s = started.value;
    if (s.type === 'closed') return { error: setupError('connect', `the session on ${node} ended before Jupyter was ready (ssh exited ${s.code})`, 'did the job end? "slurmhop list" shows your jobs'), submitted };
    if (s.type === 'failed') return { error: startError(s.event, s.log, node, t), submitted };

    const { info, version } = s;
    const port = await options.choosePort(info.port);
    const tunnel = openTunnel(env, t.cluster, { host: t.host, remotePort: info.port, localPort: port }, (line) => say(line));
    const forwarded = await firstOf({ ready: tunnel.ready, stop: stop.first });
    if (forwarded.which === 'stop') return await stopAll(tunnel);
    if (!forwarded.value) return await fail(setupError('connect', `the forward of port ${info.port} of ${node} could not be made`, `"${t.sshLine}" shows why`));

    const base = `http://${LOOPBACK}:${port}${info.baseUrl}`;
    const answered = await firstAnswer(`${base}api`);
    if (answered !== 200) {
      await tunnel.close();
      return await fail(setupError('connect', `Jupyter on ${node} did not answer through the forward (${answered === undefined ? 'no answer' : `HTTP ${answered}`})`, `"${t.sshLine}" and "curl http://127.0.0.1:${info.port}${info.baseUrl}api" there show more`));
    }
    // A configuration of the user's own could turn the token off: on a shared node, anyone there could then use it.
    const anonymous = await httpStatus(`${base}api/contents`);
    if (anonymous !== undefined && anonymous >= 200 && anonymous < 300) {
      await tunnel.close();
      return await fail(setupError('cluster-step', `Jupyter on ${node} answers without a token or password (a setting of yours turns them off): anyone on the node could use it, so it was stopped`, 'remove c.NotebookApp.token = \'\' (or c.ServerApp.token, c.IdentityProvider.token) from your jupyter_*_config.py on the cluster'));
    }
    const url = `${base}${info.token ? `?token=${info.token}` : ''}`;
    say(`${version ?? 'Jupyter'} runs on ${node}${landed.value.jobId ? ` (job ${landed.value.jobId})` : ''}, forwarded to port ${port} here${info.token ? '' : ' (it asks for your Jupyter password)'}; Ctrl-C stops it`);
    env.out(`${url}\n`);
    if (options.open) void openInBrowser(env.laptop, url).then((trouble) => trouble && say(`could not open a browser (${trouble}): open the URL above yourself`));

    const end = await firstOf({ stop: stop.first, ended: session.ended, forward: tunnel.ended });
    if (end.which === 'stop') return await stopAll(tunnel);
    if (end.which === 'forward') {
      return await fail(setupError('connect', `the forward to ${node} ended: Jupyter was stopped`, 'did the job end? "slurmhop list" shows your jobs'));
    }
    await tunnel.close();
    const { code, log } = end.value;
    if (code === undefined) return { error: setupError('connect', `the session on ${node} ended, and Jupyter with it`, 'did the job end? "slurmhop list" shows your jobs'), submitted };
    if (code === 0) {
      say(`Jupyter on ${node} was shut down (from its page); the forward ended`);
      return { submitted };
    }
    return { error: withLog(setupError('cluster-step', `Jupyter on ${node} exited (${code})`), log), submitted };
  } catch (err) {
    // A local port that is taken, a forward that cannot start: Jupyter on the node is stopped first.
    if (!(err instanceof SetupError)) throw err;
    return await fail(err);
  } finally {
    stop.dispose();
  }

  async function stopAll(tunnel: { close(): Promise<number> } | undefined): Promise<Served> {
    say(`stopping Jupyter on ${node}`);
    const stopped = await session.stop(STOP_MS);
    await tunnel?.close();
    if (stopped.stopped) say(`stopped Jupyter${stopped.leftovers ? ` and ${stopped.leftovers} process${stopped.leftovers === 1 ? '' : 'es'} it left` : ''} on ${node}; the forward ended`);
    else say(`the session on ${node} ended before it said Jupyter stopped (it stops when the session's input ends)`);
    return { submitted };
  }
}

function startError(e: NodeEvent, log: string[], node: string, t: ProfileTarget): SetupError {
  switch (e.type) {
    case 'missing':
      return setupError('missing-program', `${e.program} is not on PATH in your ${t.profile} job on ${node} (PATH there: ${e.path})`, `install it there (e.g. pip install --user ${e.program === 'jupyter-lab' ? 'jupyterlab' : 'notebook'}), or set it up in the profile's env_setup (module load, a venv or conda activate) in config.ini ("slurmhop config"); env_setup applies to new jobs`);
    case 'nodir':
      return setupError('usage', `no folder ${e.dir} on ${node}`, 'give a folder that exists on the cluster (absolute, or under your home there)');
    case 'timeout':
      return withLog(setupError('cluster-step', `Jupyter did not start on ${node} within ${e.seconds} s: it was stopped`), log);
    case 'exited':
      return withLog(setupError('cluster-step', `Jupyter exited on ${node} before it was ready (exit ${e.code ?? '?'})`), log);
    default:
      return setupError('cluster-step', `Jupyter could not be started on ${node}: ${e.type === 'failed' ? e.what : e.type}`);
  }
}

function withLog(error: SetupError, log: string[]): SetupError {
  return new SetupError(error.kind, error.message, log.length ? `its last lines:\n${log.map((l) => `    ${l}`).join('\n')}` : error.hint);
}
