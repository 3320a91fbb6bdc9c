// Kept apart from harness.ts: the global setup and the bench import the
// harness outside a vitest worker, where importing vitest throws.
import { it } from 'vitest';
import { SHAPE, SUITE } from './harness.js';

/**
 * npm test runs the connect suite on every Debian suite's cluster (the
 * matrix: bullseye, trixie, sid, and bookworm's production shape) and
 * everything once on bookworm's plain cluster, the host's own packages. A
 * test marked so is not part of the connect suite.
 */
export const itOnceOnBookworm = it.skipIf(SUITE !== 'bookworm' || SHAPE !== 'plain');

/** What only the production shape has (a login pool, a caching home, cgroups, login limits). */
export const itOnProduction = it.skipIf(SHAPE !== 'production');
