// A process that takes the lock a few times and logs each holding, for the race
// tests (test/state/lock-race.test.ts). Argv: LOCK LOG ROUNDS HOLD_MS OPTIONS_JSON.
// OPTIONS_JSON: { host?, staleAfterMs?, refreshMs?, clockOffsetMs? } (another host, another clock),
// dieHolding?: exit while still holding, leaving a stale lock to the others.
import fs from 'node:fs';
import { withLock } from '../../src/state/lock.js';

const [lock, log, rounds, holdMs, json] = process.argv.slice(2);
const { clockOffsetMs = 0, dieHolding = false, ...options } = JSON.parse(json ?? '{}') as {
  host?: string;
  staleAfterMs?: number;
  refreshMs?: number;
  clockOffsetMs?: number;
  dieHolding?: boolean;
};
const me = `${options.host ?? 'here'}/${process.pid}`;
for (let i = 0; i < Number(rounds); i++) {
  await withLock(
    lock!,
    async () => {
      fs.appendFileSync(log!, `enter ${me}\n`);
      await new Promise((r) => setTimeout(r, Number(holdMs)));
      fs.appendFileSync(log!, `exit ${me}\n`);
      if (dieHolding) process.exit(0);
    },
    { ...options, clock: () => Date.now() + clockOffsetMs, timeoutMs: 60_000 },
  );
}
