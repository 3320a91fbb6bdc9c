// Many users connecting at once: exactly one job per user, every connect succeeds.
import { execa } from 'execa';
import { jobsOf, type Laptop } from '../../test/e2e/harness.js';
import type { Figure } from '../lib/measure.js';

export async function simultaneousConnects(laptops: Laptop[], perUser: number): Promise<Figure> {
  const start = Date.now();
  const runs = await Promise.all(
    laptops.flatMap((l) => Array.from({ length: perUser }, () => execa('ssh', ['-F', l.config, 'slurm-cpu', 'echo $SLURM_JOB_ID'], { reject: false }))),
  );
  const seconds = (Date.now() - start) / 1000;
  const ok = runs.filter((r) => r.exitCode === 0).length;
  const jobsPerUser = await Promise.all(laptops.map(async (l) => (await jobsOf(l.user)).filter((j) => j.name === 'slurmhop-cpu').length));
  const failures = runs.filter((r) => r.exitCode !== 0).map((r) => String(r.stderr).split('\n').slice(-2).join(' ')).slice(0, 3);
  return {
    figure: `${runs.length} simultaneous connects from ${laptops.length} users`,
    ours: `${ok}/${runs.length} succeeded in ${seconds.toFixed(1)} s`,
    floor: '-',
    result: `jobs per user: ${jobsPerUser.join(', ')}`,
    target: 'all succeed, exactly 1 job per user',
    met: ok === runs.length && jobsPerUser.every((n) => n === 1),
    details: { failures },
  };
}
