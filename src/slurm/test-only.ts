// `sbatch --test-only`: Slurm checks a job's options and says when and where
// it would start, without queuing anything.
import type { RunResult, SlurmRunner } from './run.js';

export interface StartEstimate {
  /** Slurm's estimate, ISO local time ("2026-12-06T19:30:00"). */
  start?: string | undefined;
  nodes?: string | undefined;
  partition?: string | undefined;
  /** Why Slurm would not take the job (its own words). */
  refused?: string | undefined;
}

export async function estimateStart(run: SlurmRunner, args: string[], script: string): Promise<StartEstimate> {
  try {
    // ISO times whatever the user's SLURM_TIME_FORMAT says (no job is made: nothing passes it on).
    return parseTestOnly(await run('sbatch', [...args, '--test-only'], { input: script, env: { SLURM_TIME_FORMAT: 'standard' } }));
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

export function parseTestOnly(result: RunResult): StartEstimate {
  const said = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.replace(/^sbatch:\s*(error:\s*)?/, '').trim()).filter(Boolean);
  const m = said.map((l) => /^Job \d+ to start at (\S+) using .* on nodes (\S+) in partition (\S+)/.exec(l)).find(Boolean);
  if (result.exitCode === 0 && m) return { start: m[1], nodes: m[2], partition: m[3] };
  return { refused: said.join('; ').replace(/^Batch job submission failed: /, '') || `exit code ${result.exitCode}` };
}
