// What every container runtime's e2e checks alike: the walltime warning
// reaches a terminal whose shell runs inside the container.
import { expect } from 'vitest';
import type { Laptop } from '../harness.js';

/** `profile`'s job has a time limit a minute and a bit away; its image has /slurmhop-image. */
export async function walltimeWarningReachesContainer(laptop: Laptop, profile: string): Promise<void> {
  const r = await laptop.ssh(['-tt', `slurm-${profile}`, 'test -e /slurmhop-image && echo inside; sleep 25']);
  const out = String(r.stdout);
  expect(out).toContain('inside');
  expect(out).toMatch(new RegExp(`slurmhop: job \\d+ \\(${profile}\\) reaches its time limit at \\d\\d:\\d\\d, in 1 minute`));
}
