// Short words for the end reasons a job records. A reason this version does
// not know (written by a newer one) is shown as it was recorded.
const WORDS: Record<string, string> = {
  cancelled: 'cancelled',
  'time-limit': 'time limit',
  idle: 'idle (idle_timeout)',
  swapped: 'swapped',
  'sshd-failed': 'failed: sshd did not start',
  'sshd-exited': "failed: the job's sshd exited",
  signal: 'stopped by a signal',
  unclaimed: 'unclaimed (its sbatch got no answer)',
};

/** Reasons that end a session the user chose or expected: the others are failures if no session was ever ready. */
const DELIBERATE = new Set(['cancelled', 'swapped']);

export function reasonWords(reason: string, detail?: string | undefined): string {
  const words = Object.hasOwn(WORDS, reason) ? WORDS[reason]! : reason;
  return detail ? `${words} (${detail})` : words;
}

export function isFailure(reason: string, wasReady: boolean): boolean {
  return reason === 'sshd-failed' || reason === 'sshd-exited' || (!wasReady && !DELIBERATE.has(reason));
}
