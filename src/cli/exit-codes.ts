// Documented exit codes (README "Exit codes"). Distinct from ssh's own 255 and 1.
import type { ErrorKind } from '../errors.js';

export const EXIT = {
  ok: 0,
  usage: 2,
  config: 3,
  slurm: 4,
  'pending-timeout': 5,
  'job-failed': 6,
  interrupted: 7,
  'connection-lost': 8,
  state: 9,
  'update-unavailable': 10,
  'update-rejected': 11,
  'doctor-failed': 12,
  limits: 13,
  internal: 70,
} as const satisfies Record<ErrorKind | 'ok' | 'internal', number>;

export const EXIT_DESCRIPTIONS: Array<[number, string]> = [
  [EXIT.ok, 'success'],
  [EXIT.usage, 'bad command line (unknown command or option, missing argument)'],
  [EXIT.config, 'config.ini is malformed, or the profile does not exist'],
  [EXIT.slurm, 'a Slurm command failed (sbatch rejected the job, Slurm unreachable, not a Slurm node)'],
  [EXIT['pending-timeout'], 'the job stayed pending longer than pending_timeout (a job this command submitted is cancelled)'],
  [EXIT['job-failed'], 'the job ended, or its sshd failed, before the session was ready (its output is shown)'],
  [EXIT.interrupted, 'interrupted while waiting (signal, or the ssh client went away); a job this command submitted is cancelled'],
  [EXIT['connection-lost'], 'the session ended because the job ended (cancelled, time limit), or its node could not be reached'],
  [EXIT.state, 'a problem with the state directory (lock held too long, permissions)'],
  [EXIT['update-unavailable'], 'update: the release repository cannot be read, has no such version, or there is nothing to roll back to'],
  [EXIT['update-rejected'], 'update: the release was refused (bad signature, damaged, failed its self-check); the working version still runs'],
  [EXIT['doctor-failed'], 'remote doctor: at least one check failed (each failure is printed with its fix)'],
  [EXIT.limits, "the login node's limits (ulimit -v) are below what remote needs to run: the message names the limit and what to ask for"],
  [EXIT.internal, 'internal error (a bug: please report it)'],
];
