// sbatch: submit a script given on stdin, get the job id.
import { SlurmhopError } from '../errors.js';
import { runChecked, type SlurmRunner } from './run.js';

/** `--parsable` prints "jobid" or "jobid;cluster". */
export function parseSbatchOutput(output: string): string {
  const line = output.trim().split('\n').pop() ?? '';
  const id = line.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new SlurmhopError('slurm', `sbatch printed no job id: ${JSON.stringify(output)}`);
  return id;
}

export async function submitJob(run: SlurmRunner, args: string[], script: string): Promise<string> {
  return parseSbatchOutput(await runChecked(run, 'sbatch', ['--parsable', ...args], { input: script }));
}
