// Typed failures. Each part throws these; the CLI's one top-level catch maps
// `kind` to a documented exit code (src/cli/exit-codes.ts).
export type ErrorKind =
  | 'usage'
  | 'config'
  | 'slurm'
  | 'pending-timeout'
  | 'job-failed'
  | 'interrupted'
  | 'connection-lost'
  | 'state'
  | 'update-unavailable'
  | 'update-rejected'
  | 'doctor-failed'
  | 'limits';

export class SlurmhopError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do about it, printed on its own line. */
    readonly hint?: string,
    /** More than the user needs to see at once (a program's whole output): for the log only. */
    readonly details?: string,
  ) {
    super(message);
    this.name = 'SlurmhopError';
  }
}

export const usageError = (message: string, hint?: string) => new SlurmhopError('usage', message, hint);
