// The last step: connect through the new config, as the user will, and show
// where it landed. OpenSSH's own messages and the job's progress go to the
// user's terminal as they come.
import type { Answers } from './answers.js';
import type { SetupDeps } from './deps.js';
import { setupError } from './errors.js';

const PROBE = 'echo "slurmhop-check $(hostname) ${SLURM_JOB_ID:-none} ${SLURM_JOB_PARTITION:-}"';

export function checkArgs(a: Answers, host: string, interactive: boolean): string[] {
  return [...(a.customConfig ? ['-F', a.sshConfig] : []), ...(interactive ? [] : ['-o', 'BatchMode=yes']), host, PROBE];
}

export async function runCheck(deps: SetupDeps, ssh: string, a: Answers, host: string): Promise<void> {
  const r = await deps.runSsh(ssh, checkArgs(a, host, deps.ask.interactive));
  const m = /^slurmhop-check (\S+) (\S+) ?(\S*)$/m.exec(r.stdout);
  if (r.exitCode !== 0 || !m) {
    const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
    throw setupError('check', `"ssh ${host}" did not land on a compute node (exit ${r.exitCode})${tail ? `:\n${tail}` : ''}`, 'your files are written; see TUTORIAL.md "Troubleshooting", then run setup again (it changes only what is missing)');
  }
  deps.report({ type: 'done', message: `landed on ${m[1]}, inside Slurm job ${m[2]}${m[3] ? ` (partition ${m[3]})` : ''}` });
  deps.report({ type: 'info', message: 'the job stays for your next connections; "slurmhop cancel" ends it' });
}
