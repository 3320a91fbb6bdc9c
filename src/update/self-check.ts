// `remote --self-check`: what a release must pass before it becomes current.
// It loads the whole program and renders every generated file from a sample
// profile, touching neither the state dir, nor Slurm, nor the network, and
// prints one JSON line the updater compares with the release's version.
import { parseConfig } from '../config/index.js';
import { renderJobScript, renderSshdConfig } from '../templates/index.js';

const SAMPLE = '[profile.check]\npartition = p\ngres = gpu:1\ntime = 1:00:00\nenv_setup = echo "50%"; true\n';

export interface SelfCheckReport {
  selfCheck: 'ok';
  version: string;
  node: string;
  commands: string[];
}

/** `commands`: the names of the program's commands, handed down by the CLI (nothing here imports it). */
export function selfCheck(version: string, commands: string[]): void {
  const profile = parseConfig(SAMPLE, 'self-check.ini').get('check');
  if (!profile) throw new Error('self-check: the sample profile did not parse');
  const script = renderJobScript({ profile, user: 'selfcheck', remote: ['/bin/true'] });
  const sshd = renderSshdConfig({
    jobId: '1',
    profile: 'check',
    user: 'selfcheck',
    port: 2222,
    listenAddress: '127.0.0.1',
    hostKey: '/dev/null',
    env: { SLURM_JOB_ID: '1' },
    features: { perSourceMaxStartups: true, penalties: true },
    sessionSources: ['127.0.0.1'],
  });
  if (!script.includes('job check') || !sshd.includes('2222')) throw new Error('self-check: a template rendered wrong');
  for (const needed of ['proxy', 'job', 'update', 'rollback']) {
    if (!commands.includes(needed)) throw new Error(`self-check: command "${needed}" is missing`);
  }
  const report: SelfCheckReport = { selfCheck: 'ok', version, node: process.version, commands };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
