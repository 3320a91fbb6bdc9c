// While the proxy waits, the wait ends early on a signal or when the ssh client
// goes away (its stdin closes): the caller then cancels what it submitted.
import { SlurmhopError } from '../errors.js';
import type { InputHold } from './relay.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Signals always; the client going away too when its stdin is held. */
export function interruptions(held?: InputHold): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const interrupt = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new SlurmhopError('interrupted', `stopped waiting: ${why}`));
  };
  const onSignal = (signal: NodeJS.Signals) => interrupt(`received ${signal}`);
  for (const s of SIGNALS) process.on(s, onSignal);
  held?.onceEnded(() => interrupt('the ssh client closed the connection'));
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, onSignal);
    },
  };
}
