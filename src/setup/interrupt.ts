// Ctrl-C (or a hangup, or kill) while the wizard runs: whatever the running
// step has half made (a Node package being unpacked, an executable being
// assembled, an upload's temporary file on the cluster) is removed, then the
// wizard exits 10, as when a question is answered with Ctrl-C. Steps register
// what to remove for as long as it exists; files written whole stay (a rerun
// changes only what is missing).
import { setupError, SETUP_EXIT } from './errors.js';

type Cleanup = () => void | Promise<void>;

const cleanups = new Set<Cleanup>();
let interrupted = false;

/** Registers what to remove if the wizard is interrupted now; call the result once it is gone or kept. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs `work` with `cleanup` registered until it ends. */
export async function removedIfInterrupted<T>(cleanup: Cleanup, work: () => Promise<T>): Promise<T> {
  const off = onInterrupt(cleanup);
  try {
    return await work();
  } finally {
    off();
  }
}

/** Whether a signal came: an error that follows from it (a killed child program) is then the interrupt, not a failure. */
export const wasInterrupted = () => interrupted;

/** The interrupt's own error (exit 10). */
export const interruptError = () => setupError('declined', 'interrupted: temporary files were removed; what was written before stays (run setup again to finish)');

/** Runs the registered cleanups, waiting at most `timeoutMs` for those that need the network. */
export async function runCleanups(timeoutMs: number): Promise<void> {
  const all = Promise.allSettled([...cleanups].map(async (c) => c()));
  cleanups.clear();
  await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
}

/**
 * Installs the handlers for the wizard's whole run: on SIGINT, SIGTERM or
 * SIGHUP the cleanups run and the process exits 10; a second signal exits at once.
 */
export function exitCleanlyOnSignals(err: (text: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(SETUP_EXIT.declined);
    interrupted = true;
    err(`\nslurmhop: ${signal === 'SIGINT' ? 'interrupted' : `stopped (${signal})`}: removing temporary files\n`);
    void runCleanups(5_000).then(() => {
      err(`slurmhop: ${interruptError().message}\n`);
      process.exit(SETUP_EXIT.declined);
    });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return () => signals.forEach((s) => process.off(s, handler));
}
