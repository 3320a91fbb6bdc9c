// The one place that spawns Slurm's client commands. Tests and callers can
// pass their own runner; the default is execa.
import { execa } from 'execa';
import { SlurmhopError } from '../errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type SlurmRunner = (command: string, args: string[], options?: { input?: string }) => Promise<RunResult>;

export const execaRunner: SlurmRunner = async (command, args, options = {}) => {
  const result = await execa(command, args, {
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: true,
    timeout: 60_000,
    env: { SLURM_TIME_FORMAT: 'standard' },
  });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new SlurmhopError('slurm', `${command} was not found on PATH`, 'run this on a Slurm login node (or add Slurm to PATH)');
  }
  return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', exitCode: result.exitCode ?? 70 };
};

export async function runChecked(run: SlurmRunner, command: string, args: string[], input?: string): Promise<string> {
  const result = await run(command, args, input === undefined ? {} : { input });
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    throw new SlurmhopError('slurm', `${command} failed: ${detail}`);
  }
  return result.stdout;
}
