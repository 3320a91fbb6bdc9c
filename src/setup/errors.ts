// Typed failures of the laptop wizard. setup.ts's one catch maps `kind` to an
// exit code (documented in TUTORIAL.md "Exit codes"); nothing is half-written
// when one is thrown, because every file is planned before any is written.
export type SetupErrorKind =
  | 'usage'
  | 'local-file'
  | 'connect'
  | 'host-key'
  | 'cluster-unsupported'
  | 'cluster-step'
  | 'check'
  | 'write'
  | 'declined'
  | 'missing-program'
  | 'download';

export const SETUP_EXIT = {
  ok: 0,
  usage: 2,
  'local-file': 3,
  connect: 4,
  'host-key': 5,
  'cluster-unsupported': 6,
  'cluster-step': 7,
  check: 8,
  write: 9,
  declined: 10,
  'missing-program': 11,
  download: 12,
  internal: 70,
} as const satisfies Record<SetupErrorKind | 'ok' | 'internal', number>;

export const SETUP_EXIT_DESCRIPTIONS: Array<[number, string]> = [
  [SETUP_EXIT.ok, 'done (or nothing to change)'],
  [SETUP_EXIT.usage, 'bad command line (unknown option, bad value, a question that needs an answer under --yes)'],
  [SETUP_EXIT['local-file'], 'a local file cannot be read or parsed (ssh config, VS Code settings, key): nothing was written'],
  [SETUP_EXIT.connect, 'cannot connect or log in to the login node'],
  [SETUP_EXIT['host-key'], 'the login node\'s host key changed, or a new one was not accepted: nothing was written'],
  [SETUP_EXIT['cluster-unsupported'], 'the login node cannot run remote (architecture, glibc < 2.28, a noexec home and no other place that runs programs, a place another user could change)'],
  [SETUP_EXIT['cluster-step'], 'a step on the cluster failed (upload, checksum, authorized_keys, config.ini, host key)'],
  [SETUP_EXIT.check, 'everything was written, but the final "ssh <prefix>-cpu hostname" did not land on a compute node'],
  [SETUP_EXIT.write, 'a local file could not be written (permissions, disk full); the original is unchanged'],
  [SETUP_EXIT.declined, 'you answered no, or interrupted the wizard (Ctrl-C at a question or in any step: what the step half made is removed)'],
  [SETUP_EXIT['missing-program'], 'a program slurmhop needs is not there: ssh, VS Code\'s "code" for slurmhop code (checked before any job is submitted), or Jupyter in the job\'s environment for slurmhop jupyter'],
  [SETUP_EXIT.download, 'the Node.js package the cluster\'s executable is made from could not be fetched with npm (registry, proxy): npm\'s own message is shown'],
  [SETUP_EXIT.internal, 'internal error (a bug: please report it)'],
];

export class SetupError extends Error {
  constructor(
    readonly kind: SetupErrorKind,
    message: string,
    /** What the user can do about it, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

export const setupError = (kind: SetupErrorKind, message: string, hint?: string) => new SetupError(kind, message, hint);
