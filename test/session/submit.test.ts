// A submission whose sbatch got no answer, against a fake scheduler and clock:
// the job the controller accepted anyway is found; a lost submission is made
// again only once the controller has said so for a while; a refusal is not
// retried; a controller that never answers is reported.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { SessionContext } from '../../src/session/context.js';
import { submit } from '../../src/session/submit.js';
import type { RunResult } from '../../src/slurm/index.js';
import { hasSubmittedRecord } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-submit-');
const profile = [...parseConfig('[profile.cpu]\npartition = p\n', 'c.ini').values()][0]!;
const TIMED_OUT: RunResult = { exitCode: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' };
const queueLine = (id: string) => `${id}|slurmhop-cpu|PENDING|(null)|N/A|0:00|1:00:00|1:00:00|p|N/A|Priority`;

/** What each call of sbatch and of squeue gets, in order; the last answer of each repeats. */
function context(answers: { sbatch: RunResult[]; squeue?: RunResult[] }) {
  const home = tmp();
  let clock = 0;
  const calls: string[] = [];
  const ctx = {
    run: async (command: string): Promise<RunResult> => {
      calls.push(command);
      const queue = answers[command as 'sbatch' | 'squeue']!;
      return queue.length > 1 ? queue.shift()! : queue[0]!;
    },
    log: () => {},
    user: 'ada',
    home,
    stateDir: `${home}/state`,
    remoteCommand: ['remote'],
    now: () => clock,
    sleep: async (ms: number) => void (clock += ms),
  } as unknown as SessionContext;
  return { ctx, calls };
}

const squeue = (ids: string[]): RunResult => ({ exitCode: 0, stdout: ids.map(queueLine).join('\n'), stderr: '' });
const squeueFails: RunResult = { exitCode: 1, stdout: '', stderr: 'slurm_load_jobs error: Socket timed out on send/recv operation' };
const sbatchOk = (id: string): RunResult => ({ exitCode: 0, stdout: id, stderr: '' });

describe('sbatch got no answer', () => {
  it('the job the controller accepted anyway is found, claimed, and no second one is submitted', async () => {
    const { ctx, calls } = context({ sbatch: [TIMED_OUT], squeue: [squeueFails, squeueFails, squeue(['77'])] });
    expect(await submit(ctx, profile)).toBe('77');
    expect(calls).toEqual(['sbatch', 'squeue', 'squeue', 'squeue']);
    expect(hasSubmittedRecord(ctx.stateDir, '77')).toBe(true);
  });

  it('a job of the profile that a connect already recorded is not it', async () => {
    const { ctx } = context({ sbatch: [TIMED_OUT], squeue: [squeue(['70', '78'])] });
    fs.mkdirSync(`${ctx.stateDir}/jobs/70`, { recursive: true });
    fs.writeFileSync(`${ctx.stateDir}/jobs/70/submitted`, '{}\n');
    expect(await submit(ctx, profile)).toBe('78');
  });

  it('the controller answers that it has no such job, and goes on saying so: submitted again, once', async () => {
    const { ctx, calls } = context({ sbatch: [TIMED_OUT, sbatchOk('80')], squeue: [squeue([])] });
    expect(await submit(ctx, profile)).toBe('80');
    expect(calls.filter((c) => c === 'sbatch')).toHaveLength(2);
    expect(calls.filter((c) => c === 'squeue').length).toBeGreaterThan(3); // not on the first empty answer
  });

  it('a controller back from a freeze that answers squeue before it gets to the submission: the job is still found', async () => {
    const { ctx, calls } = context({ sbatch: [TIMED_OUT, sbatchOk('99')], squeue: [squeueFails, squeue([]), squeue([]), squeue(['81'])] });
    expect(await submit(ctx, profile)).toBe('81');
    expect(calls.filter((c) => c === 'sbatch')).toHaveLength(1);
  });

  it('a refusal is not retried, and a controller that never answers is reported', async () => {
    const refused = context({ sbatch: [{ exitCode: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: p' }] });
    await expect(submit(refused.ctx, profile)).rejects.toThrow('invalid partition');
    expect(refused.calls).toEqual(['sbatch']);
    const silent = context({ sbatch: [TIMED_OUT], squeue: [squeueFails] });
    await expect(submit(silent.ctx, profile)).rejects.toMatchObject({ kind: 'slurm', message: expect.stringContaining('the controller has not answered for 120s'), hint: expect.stringContaining('your next connect uses it') });
  });
});
