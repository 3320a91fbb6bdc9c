// renew's decisions: an idle session gets no successor, a recent one does; the
// cap counts the time limits of the chain's jobs; what the terminals are told.
import { describe, expect, it } from 'vitest';
import { activeWithinMs, decideRenewal, formatDuration, renewDue, type RenewInput } from '../../src/job/renew-plan.js';
import { notRenewedText, refusalWords, renewedText } from '../../src/job/renew-text.js';
import { warningText } from '../../src/job/walltime.js';

const T0 = new Date(2026, 10, 21, 6, 0).getTime();
const H = 3_600_000;
const input = (over: Partial<RenewInput> = {}): RenewInput => ({
  now: T0 + 7 * H + 50 * 60_000,
  profile: { renew: 600, renewMax: 24 * 3600, time: '8:00:00' },
  ownLimit: 8 * 3600,
  chain: { start: T0, link: 1, held: 0 },
  activeNow: true,
  lastActive: undefined,
  ...over,
});

describe('renew: whether a successor is submitted', () => {
  it('is due `renew` before the end', () => {
    expect(renewDue(T0 + 8 * H, 600)).toBe(T0 + 8 * H - 600_000);
  });

  it('an active session gets one, as long as its time limit', () => {
    expect(decideRenewal(input())).toEqual({ kind: 'submit', successorLimit: 8 * 3600 });
  });

  it('an idle session gets none, and its terminals are not told (it has none)', () => {
    expect(decideRenewal(input({ activeNow: false }))).toMatchObject({ kind: 'skip', reason: 'idle', tell: false, why: expect.stringContaining('no session was active') });
  });

  it('a session active at a check of the last two minutes (VS Code reconnecting) counts; one of long before does not', () => {
    const now = input().now;
    expect(decideRenewal(input({ activeNow: false, lastActive: now - 90_000 })).kind).toBe('submit');
    expect(decideRenewal(input({ activeNow: false, lastActive: now - 150_000 })).kind).toBe('skip');
  });

  it('with a short renew, half of it: what the job did right after its start does not count', () => {
    expect(activeWithinMs(60)).toBe(30_000);
    expect(activeWithinMs(600)).toBe(120_000);
    const now = input().now;
    const short = { renew: 60, renewMax: 300, time: '2' };
    expect(decideRenewal(input({ profile: short, ownLimit: 120, activeNow: false, lastActive: now - 58_000 })).kind).toBe('skip');
  });

  it('renew_max counts the chain\'s time limits: 24h gives three jobs of 8h, not four', () => {
    expect(decideRenewal(input({ chain: { start: T0, link: 2, held: 8 * 3600 } })).kind).toBe('submit');
    const third = decideRenewal(input({ chain: { start: T0, link: 3, held: 16 * 3600 } }));
    expect(third).toMatchObject({ kind: 'skip', reason: 'cap', tell: true });
    expect(third.kind === 'skip' && third.why).toBe("renew_max = 24h is reached: the chain's 3 jobs hold 24h since 06:00, and a successor would make it 32h");
  });

  it('a profile with no time: the successor asks for what this job got', () => {
    expect(decideRenewal(input({ profile: { renew: 600, renewMax: 24 * 3600, time: undefined }, ownLimit: 4 * 3600 }))).toEqual({ kind: 'submit', successorLimit: 4 * 3600 });
    expect(decideRenewal(input({ profile: { renew: 600, renewMax: 24 * 3600, time: undefined }, ownLimit: undefined })).kind).toBe('skip');
  });

  it('durations in words', () => {
    expect([formatDuration(86_400), formatDuration(300), formatDuration(5400), formatDuration(45)]).toEqual(['24h', '5m', '1h30m', '45s']);
  });
});

describe('renew: what the terminals are told', () => {
  const end = T0 + 8 * H;
  const now = end - 600_000;

  it('the successor, its state and when it starts; where the next connect lands', () => {
    const text = renewedText('41', 'gpu', '42', end, { state: 'PENDING', reason: 'Dependency', startTime: undefined }, now);
    expect(text).toContain('*** slurmhop: job 41 (gpu) reaches its time limit at 14:00. Its successor, job 42, is queued (PENDING, Dependency; to start when this job ends, at 14:00). ***');
    expect(text).toContain("Your next connect (ssh, or VS Code's reconnect) lands in job 42.");
    expect(renewedText('41', 'gpu', '42', end, { state: 'PENDING', reason: 'Priority', startTime: '2026-11-21T14:03:00' }, now)).toContain('(PENDING, Priority; est. start 2026-11-21 14:03:00)');
    expect(text.startsWith('\r\n') && text.endsWith('\r\n')).toBe(true); // a raw terminal gets whole lines
  });

  it('why there is none', () => {
    expect(notRenewedText('41', 'gpu', 'renew_max = 24h is reached', end, now)).toContain('*** slurmhop: job 41 (gpu) was not renewed: renew_max = 24h is reached. ***');
  });

  it("sites' refusals in words: sbatch's own, and what it means", () => {
    expect(refusalWords('sbatch failed: sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user\'s size and/or time limits)')).toBe(
      "Slurm refused the successor: Batch job submission failed: Job violates accounting/QOS policy (job submit limit, user's size and/or time limits) (your limit on queued jobs (MaxSubmitJobs) leaves no room for a second one while this one runs)",
    );
    expect(refusalWords('sbatch failed: sbatch: error: Batch job submission failed: Required partition not available (inactive or drain)')).toContain('(the partition takes no new jobs now (maintenance?))');
    expect(refusalWords('sbatch failed: sbatch: error: something new')).toBe('Slurm refused the successor: something new');
  });

  it('a walltime warning after the renewal says where the session goes on', () => {
    expect(warningText('41', 'gpu', end, end - 120_000, '42')).toContain('Job 42 follows it (renew): your next connect after 14:00 lands there.');
    expect(warningText('41', 'gpu', end, end - 120_000, '42')).not.toContain('remote alloc');
  });
});
