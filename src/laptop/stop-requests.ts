// Ctrl-C (or a hangup, or kill) while forward or jupyter runs: the first asks
// for an orderly stop, which the command carries out; another one while it
// does calls `again` (stop waiting, leave now).
import type { LaptopEnv } from './env.js';

export interface StopRequests {
  /** Resolves with the first signal. */
  first: Promise<NodeJS.Signals>;
  dispose(): void;
}

export function stopRequests(env: LaptopEnv, again: (signal: NodeJS.Signals) => void = () => {}): StopRequests {
  let count = 0;
  let resolve: (s: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const dispose = env.onStop((signal) => {
    count++;
    if (count === 1) resolve(signal);
    else again(signal);
  });
  return { first, dispose };
}

/** Which of several things happened first, named. */
export function firstOf<T extends Record<string, Promise<unknown>>>(races: T): Promise<{ [K in keyof T]: { which: K; value: Awaited<T[K]> } }[keyof T]> {
  return Promise.race(Object.entries(races).map(([which, p]) => p.then((value) => ({ which, value })))) as never;
}
