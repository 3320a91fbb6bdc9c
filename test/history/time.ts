// Fixed times for the history tests, shown in UTC whatever the machine's zone.
import { afterAll, beforeAll } from 'vitest';

export const BASE = Date.parse('2025-03-04T10:00:00Z');
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

/** Registers hooks that run the file's tests with TZ=UTC. */
export function inUtc(): void {
  let tz: string | undefined;
  beforeAll(() => {
    tz = process.env.TZ;
    process.env.TZ = 'UTC';
  });
  afterAll(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });
}
