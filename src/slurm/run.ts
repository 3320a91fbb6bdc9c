// The one place that spawns Slurm's client commands. Tests and callers can
// pass their own runner; the default is execa.
import { execa } from 'execa';
import { SlurmhopError } from '../errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type SlurmRunner = (command: string, args: string[], options?: { input?: string; env?: Record<string, string> }) => Promise<RunResult>;

const NOT_ANSWERED = 'did not answer within';
const NO_ANSWER = new RegExp(`Socket timed out|Unable to contact slurm controller|Zero Bytes were transmitted|Communication connection failure|Connection reset|${NOT_ANSWERED}`, 'i');

export const execaRunner: SlurmRunner = async (command, args, options = {}) => {
  const result = await execa(command, args, {
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: true,
    timeout: 60_000,
    ...(options.env ? { env: options.env } : {}),
  });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new SlurmhopError('slurm', `${command} was not found on PATH`, 'run this on a Slurm login node (or add Slurm to PATH)');
  }
  if (result.timedOut) throw new SlurmhopError('slurm', `${command} ${NOT_ANSWERED} 60s (is slurmctld busy or down?)`);
  return { stdout: result.stdout ?? '', stderr: result.stderr ?? '', exitCode: result.exitCode ?? 70 };
};

/** What a Slurm command (or this runner, for a hung one) says when the controller did not answer, as opposed to refusing. */
export function isNoAnswer(err: unknown): err is SlurmhopError {
  return err instanceof SlurmhopError && NO_ANSWER.test(err.message);
}

export async function runChecked(run: SlurmRunner, command: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  return checked(command, await run(command, args, options));
}

export function checked(command: string, result: RunResult): string {
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit code ${result.exitCode}`;
    throw new SlurmhopError('slurm', `${command} failed: ${detail}`);
  }
  return result.stdout;
}
