// A state directory that has seen many jobs: the warm path must not read them
// all. 5,000 ended jobs' directories (status files as jobs leave them) for one
// user, none for another; both warm-connect in the same rounds.
import fs from 'node:fs';
import type { Laptop } from '../../test/e2e/harness.js';
import { chownTree, stateOf } from '../../test/e2e/harness.js';
import { fmt, interleave, median, timeCommand, type Figure } from '../lib/measure.js';

const OLD_JOBS = 5000;

export async function warmWithManyOldJobs(crowded: Laptop, clean: Laptop, rounds: number): Promise<Figure> {
  for (const l of [crowded, clean]) await timeCommand('ssh', ['-F', l.config, 'slurm-cpu', 'true']);
  const jobs = `${stateOf(crowded.user)}/jobs`;
  const ids: string[] = [];
  const now = new Date().toISOString();
  for (let i = 0; i < OLD_JOBS; i++) {
    const id = String(9_000_000 + i);
    ids.push(id);
    fs.mkdirSync(`${jobs}/${id}`, { mode: 0o700 });
    fs.writeFileSync(`${jobs}/${id}/status`, `${JSON.stringify({ event: 'ended', jobId: id, profile: 'cpu', reason: 'idle', at: now })}\n`, { mode: 0o600 });
  }
  chownTree(crowded.user, jobs);
  try {
    const r = await interleave(
      rounds,
      () => timeCommand('ssh', ['-F', crowded.config, 'slurm-cpu', 'true']),
      () => timeCommand('ssh', ['-F', clean.config, 'slurm-cpu', 'true']),
    );
    const ratio = median(r.a) / median(r.b);
    return {
      figure: `warm connect with ${OLD_JOBS} ended jobs in the state directory`,
      ours: fmt(median(r.a)),
      floor: `${fmt(median(r.b))} (another user, no old jobs)`,
      result: `${ratio.toFixed(3)}×`,
      target: '≤ 1.05×',
      met: ratio <= 1.05,
      details: { rounds, oldJobs: OLD_JOBS, ...r },
    };
  } finally {
    for (const id of ids) fs.rmSync(`${jobs}/${id}`, { recursive: true, force: true });
  }
}
