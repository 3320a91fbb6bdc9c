// Whether ssh said why the job ended its session (stderr of an ssh run with
// LogLevel=DEBUG1). One exception is OpenSSH's own: Slurm signals every
// process of the job, and the session's sshd may pass on its command's death
// before it acts on its own SIGTERM; ssh then ends at once on the command's
// exit (its debug log has that exit as a channel request) and nothing said
// after reaches it. OpenSSH before 8.7 does so often (bz#2158: about 1 cancel
// in 20 on the Debian 11 cluster); later ones rarely (their loop checks the
// SIGTERM first when both are pending).
import { expect } from 'vitest';

/** The ssh options that make its debug log tell that exception. */
export const SSH_DEBUG = ['-o', 'LogLevel=DEBUG1'];

/** Asks for the reason unless ssh got its command's exit first; `context` goes with the failure. */
export function expectJobEndSaid(stderr: string, jobId: string, reason: string, context = ''): void {
  if (/rtype exit-(status|signal)\b/.test(stderr)) {
    // Said in the test's output, so that a run shows how often the exception came.
    console.warn(`job ${jobId}: ssh got its command's exit before the session's end; the reason ${stderr.includes(reason) ? 'was said' : 'could not reach it'}`);
    return;
  }
  expect(stderr, `${stderr}\n${context}`).toContain(`connection to job ${jobId} closed: ${reason}`);
}
