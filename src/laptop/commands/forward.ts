// `slurmhop forward <profile> <remote-port> [local-port]`: a port of the
// profile's job (its first node's loopback) on this computer's loopback, for
// TensorBoard, a dashboard or any web tool running there, until Ctrl-C. It
// never submits a job: one of the profile must be there (running or queued).
import { SETUP_EXIT, setupError, type ConfiguredCluster } from '../../setup/index.js';
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import type { LaptopEnv } from '../env.js';
import { localPort, LOOPBACK, parsePort } from '../ports.js';
import { profileTarget, remoteJobs } from '../profile.js';
import { firstOf, stopRequests } from '../stop-requests.js';
import { openTunnel } from '../tunnel.js';

export const forwardCommand: LaptopCommand = {
  name: 'forward',
  summary: "forward a port of a profile's job to this computer (TensorBoard, dashboards, any web tool), until Ctrl-C",
  usage: 'slurmhop forward <profile> <remote-port> [local-port] [--cluster NAME]',
  help: {
    what: [
      "Makes port <remote-port> of the profile's job (127.0.0.1 on its node) reachable as http://127.0.0.1:<local-port> on this computer, through the",
      'same chain as "ssh <prefix>-<profile>" (the login alias\'s shared connection, the pinned job host key). It runs until Ctrl-C (exit 0).',
      'A job of the profile must be running or queued (it is waited for); none is submitted. The local port is only on this computer\'s loopback.',
      'Exit codes: 2 bad arguments, no job of the profile, or the local port is taken; 4 the forward could not be made or ended (the job ended).',
    ].join('\n'),
    options: [
      ['<remote-port>', 'the port the program listens on, on the node (on 127.0.0.1 or all addresses)'],
      ['[local-port]', 'the port on this computer (default: the same, else a free one)'],
      CLUSTER_OPTION,
    ],
    examples: ['slurmhop forward gpu 6006            (TensorBoard started in the job with --port 6006)', 'slurmhop forward cpu 8050 18050'],
  },
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    const [profile, remoteText, localText, ...extra] = rest;
    if (!profile || !remoteText || extra.length || profile.startsWith('-')) throw setupError('usage', `usage: ${this.usage}`);
    const remotePort = parsePort(remoteText, 'remote-port');
    const asked = localText === undefined ? undefined : parsePort(localText, 'local-port');
    const t = profileTarget(env, cluster, profile);
    const jobs = await remoteJobs(env, t.cluster);
    // An older remote that cannot list: the forward goes ahead (ssh waits for, or submits, the job as a connect does).
    if (jobs && !jobs.some((j) => j.profile === profile)) {
      throw setupError('usage', `you have no ${profile} job on ${t.cluster.name}: nothing listens on port ${remotePort} there`, `start one ("slurmhop alloc ${profile}", or "${t.sshLine}"), start what listens on port ${remotePort} in it, then forward`);
    }
    const port = await localPort(asked, remotePort);
    return forward(env, t.host, t.cluster, remotePort, port);
  },
};

async function forward(env: LaptopEnv, host: string, c: ConfiguredCluster, remotePort: number, port: number): Promise<number> {
  const stop = stopRequests(env);
  try {
    const tunnel = openTunnel(env, c, { host, remotePort, localPort: port }, (line) => env.err(`slurmhop: ${line}\n`));
    const start = await firstOf({ ready: tunnel.ready, stop: stop.first });
    if (start.which === 'stop' || !start.value) {
      const code = await tunnel.close();
      if (start.which === 'stop') return SETUP_EXIT.ok;
      throw setupError('connect', `the forward to ${host} could not be made (ssh exited ${code})`, `"ssh ${host}" shows why; a local port that was taken meanwhile: give another`);
    }
    const { node, jobId, listening } = start.value;
    const url = `http://${LOOPBACK}:${port}/`;
    env.err(`slurmhop: port ${remotePort} of ${node}${jobId ? ` (job ${jobId})` : ''} is forwarded to ${url} on this computer; Ctrl-C ends it\n`);
    if (!listening) env.err(`slurmhop: nothing listens on port ${remotePort} of ${node} yet (on 127.0.0.1 there); connections go through once it does\n`);
    env.out(`${url}\n`);
    const end = await firstOf({ stop: stop.first, ended: tunnel.ended });
    if (end.which === 'stop') {
      await tunnel.close();
      env.err(`slurmhop: the forward of port ${remotePort} of ${node} ended\n`);
      return SETUP_EXIT.ok;
    }
    throw setupError('connect', `the forward of port ${remotePort} of ${node} ended (ssh exited ${end.value})`, `did the job end? "slurmhop list" shows your jobs`);
  } finally {
    stop.dispose();
  }
}
