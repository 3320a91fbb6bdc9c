// `slurmhop jupyter <profile> [REMOTE_PATH]`: the profile's job made ready
// (as `slurmhop alloc`), JupyterLab or Notebook started in it from the user's
// own environment (the session's: env_setup, the container), on the node's
// loopback with a token, forwarded to this computer's loopback; the URL with
// its token printed (or opened). Ctrl-C stops Jupyter and what it started on
// the node, then the forward; a job submitted for it ends or stays (job-choice.ts).
import crypto from 'node:crypto';
import { SETUP_EXIT, setupError } from '../../setup/index.js';
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import { settleSubmittedJob, type JobChoice } from '../job-choice.js';
import type { JupyterKind } from '../jupyter-node.js';
import { serveJupyter } from '../jupyter-serve.js';
import { localPort, parsePort } from '../ports.js';
import { clusterFolder, profileTarget, remoteJobs } from '../profile.js';
import { runRemote } from '../ssh.js';

export interface JupyterOptions {
  cluster: string | undefined;
  profile: string;
  folder: string;
  kind: JupyterKind;
  port: number | undefined;
  open: boolean;
  job: JobChoice;
}

const USAGE = 'slurmhop jupyter <profile> [REMOTE_PATH] [--lab|--notebook] [--port N] [--open] [--keep-job|--end-job] [--cluster NAME]';

export function parseJupyterArgs(args: string[], laptopHome: string): JupyterOptions {
  const { cluster, rest } = takeCluster(args);
  const positionals: string[] = [];
  const o: Omit<JupyterOptions, 'profile' | 'folder' | 'cluster'> = { kind: 'auto', port: undefined, open: false, job: 'ask' };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--lab' || a === '--notebook') o.kind = o.kind === 'auto' ? (a.slice(2) as JupyterKind) : bad(`${a} and --${o.kind} together`);
    else if (a === '--port') o.port = parsePort(rest[++i], '--port');
    else if (a.startsWith('--port=')) o.port = parsePort(a.slice(7), '--port');
    else if (a === '--open') o.open = true;
    else if (a === '--keep-job' || a === '--end-job') o.job = o.job === 'ask' ? (a === '--keep-job' ? 'keep' : 'end') : bad('--keep-job and --end-job together');
    else if (a.startsWith('-') && a !== '-') bad(`unknown option ${a}`);
    else positionals.push(a);
  }
  const [profile, folder, ...extra] = positionals;
  if (!profile || extra.length) bad();
  return { cluster, profile: profile!, folder: clusterFolder(laptopHome, folder), ...o };
}

function bad(what?: string): never {
  throw setupError('usage', what ? `slurmhop jupyter: ${what}` : `usage: ${USAGE}`, what ? `usage: ${USAGE}` : undefined);
}

export const jupyterCommand: LaptopCommand = {
  name: 'jupyter',
  summary: "JupyterLab or Notebook in a profile's job, forwarded here: prints (or opens) its URL; Ctrl-C stops it",
  usage: USAGE,
  help: {
    what: [
      'Gets the profile\'s job ready (as "slurmhop alloc"), starts JupyterLab (or Jupyter Notebook, where Lab is not installed) in it from your own',
      'environment there (what env_setup sets up, the profile\'s container), on the node\'s 127.0.0.1 with a new token, forwards it to this computer\'s',
      '127.0.0.1 through the same chain as "ssh <prefix>-<profile>", and prints the URL with its token. Ctrl-C stops Jupyter, its kernels and',
      'terminals on the node, and the forward (exit 0). A job it had to submit ends then, or stays: asked in a terminal (yes ends it), else ended.',
      'Exit codes: 2 bad arguments or no such folder; 4 the connection to the job failed or ended; 7 Jupyter failed to start or exited;',
      '11 no jupyter-lab or jupyter-notebook in the job\'s environment; the job cannot be made ready: remote alloc\'s own code.',
    ].join('\n'),
    options: [
      ['REMOTE_PATH', 'the folder Jupyter shows (default: your home on the cluster; ~/x means x there)'],
      ['--lab, --notebook', 'JupyterLab, or the Notebook (default: Lab where it is installed)'],
      ['--port N', 'the local port (default: the one Jupyter took on the node, else a free one)'],
      ['--open', 'open the URL in this computer\'s browser ($BROWSER, else the desktop\'s)'],
      ['--keep-job, --end-job', 'what happens, at the end, to a job submitted for this (default: asked; without a terminal: ended)'],
      CLUSTER_OPTION,
    ],
    examples: ['slurmhop jupyter gpu', 'slurmhop jupyter cpu ~/project --open --keep-job'],
  },
  async run(args, env) {
    const o = parseJupyterArgs(args, env.laptop.home);
    const t = profileTarget(env, o.cluster, o.profile);
    // A local port that is taken fails now, before a job is submitted for nothing.
    if (o.port !== undefined) await localPort(o.port, o.port);
    const before = await remoteJobs(env, t.cluster);
    // Its lines go to stderr: the URL is the only line on stdout.
    const alloc = await runRemote(env, t.cluster.name, ['alloc', t.profile], { allToStderr: true });
    if (alloc.exitCode !== 0) return alloc.exitCode;
    const token = crypto.randomBytes(24).toString('hex');
    // Only a job that was not there before this command: never one the user already had.
    const isNew = (jobId: string | undefined) => Boolean(before && jobId && !before.some((j) => j.id === jobId));
    const served = await serveJupyter(env, t, { kind: o.kind, folder: o.folder, token }, { open: o.open, choosePort: (remote) => localPort(o.port, remote) }, isNew);
    if (served.submitted) await settleSubmittedJob(env, t, served.submitted, o.job);
    if (served.error) throw served.error;
    return SETUP_EXIT.ok;
  },
};
