// renew on the real cluster, with short limits: 2-minute jobs renewed 1
// minute before their end. An active session's job submits its successor;
// the next connect after the end lands there at once, and the `slurm` alias
// follows; the cap stops the chain; an idle session gets none; cancelling a
// link (remote cancel, or a plain scancel) ends the whole chain; a partition
// that takes no new jobs refuses the successor, and the session is told why.
// The scenarios run side by side (each its own profile; the chain's its own
// user, whose current session is its alone) to keep the file to about four
// minutes.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { installRemote, jobsOf, Laptop, onNode, resetUser, stateOf, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';

/** The chain's user; the other scenarios' user. */
const CHAIN_USER = 'kim';
const USER = 'lee';
const PARTITION = 'renewtest';
const SHORT = 'partition = interactive\ntime = 2\nrenew = 1m\nwalltime_warnings = none\n';
const CONFIG = `[profile.renew]
${SHORT}renew_max = 5m

[profile.idle]
${SHORT}
[profile.cut]
${SHORT}
[profile.scancel]
${SHORT}
[profile.refused]
partition = ${PARTITION}
time = 2
renew = 1m
walltime_warnings = none
`;
const PROFILES = ['idle', 'cut', 'scancel', 'refused'];
/** From a job's start: a minute to the renewal, a minute to the end, and Slurm's time-limit check (every 30 s). */
const RENEWAL_WITHIN = 150_000;
let laptop: Laptop;
let chainLaptop: Laptop;

beforeAll(async () => {
  for (const user of [USER, CHAIN_USER]) {
    installRemote(user);
    writeConfig(user, CONFIG);
    await resetUser(user);
    fs.rmSync(`${stateOf(user)}/current`, { force: true });
  }
  // A partition of its own, which the refusal test closes to new jobs (as for a maintenance) while its job runs.
  await onNode('login', 'root', ['scontrol', 'delete', `PartitionName=${PARTITION}`]);
  const made = await onNode('login', 'root', ['scontrol', 'create', `PartitionName=${PARTITION}`, 'Nodes=c1,c2', 'MaxTime=8:00:00', 'State=UP']);
  expect(made.exitCode, String(made.stderr)).toBe(0);
  laptop = new Laptop(USER, PROFILES);
  await laptop.pinHostKey();
  chainLaptop = new Laptop(CHAIN_USER, ['renew']);
  await chainLaptop.pinHostKey();
});

afterAll(async () => {
  await resetUser(USER);
  await resetUser(CHAIN_USER);
  await onNode('login', 'root', ['scontrol', 'delete', `PartitionName=${PARTITION}`]);
  laptop.dispose();
  chainLaptop.dispose();
});

const statusOf = (jobId: string, user = USER): Array<Record<string, unknown>> =>
  (fs.existsSync(`${stateOf(user)}/jobs/${jobId}/status`) ? fs.readFileSync(`${stateOf(user)}/jobs/${jobId}/status`, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const jobsOfProfile = async (profile: string, user = USER) => (await jobsOf(user)).filter((j) => j.name === `slurmhop-${profile}`);
const successorIn = (text: string) => /Its successor, job (\d+), is queued/.exec(text)?.[1];

/** A session with a terminal (ssh -tt), open until `seconds` pass or its job ends; returns it and its job. */
async function openSession(profile: string, seconds: number, on = laptop) {
  const session = on.open(['-tt', `slurm-${profile}`, `echo open; sleep ${seconds}`], 'open');
  await session.opened();
  const [job] = await jobsOfProfile(profile, on.user);
  return { session, jobId: job!.id };
}

/** The successor the session's terminal was told of. */
async function renewed(session: ReturnType<Laptop['open']>): Promise<string> {
  await waitFor(() => successorIn(session.output()) !== undefined, RENEWAL_WITHIN, 'the renewal message in the session\'s terminal');
  return successorIn(session.output())!;
}

describe.concurrent('renew', () => {
  itOnceOnBookworm('an active session\'s next connect after the end lands in the successor at once, and the `slurm` alias follows; renew_max ends the chain', async () => {
    const { session, jobId: first } = await openSession('renew', 400, chainLaptop);
    const second = await renewed(session);
    const told = session.output();
    expect(told).toContain(`slurmhop: job ${first} (renew) reaches its time limit at`);
    expect(told).toMatch(new RegExp(`job ${second}, is queued \\(PENDING, Dependency; to start when this job ends, at \\d\\d:\\d\\d\\)`));
    expect(told).toContain(`Your next connect (ssh, or VS Code's reconnect) lands in job ${second}.`);

    // The chain, as `remote list` shows it.
    const listed = JSON.parse(String((await chainLaptop.remote(['list', '--json'])).stdout)) as Array<Record<string, unknown>>;
    expect(listed.find((j) => j.id === first)).toMatchObject({ state: 'RUNNING', renews: null, renewedBy: second });
    expect(listed.find((j) => j.id === second)).toMatchObject({ state: 'PENDING', reason: 'Dependency', renews: first, renewedBy: null });
    const table = String((await chainLaptop.remote(['list'])).stdout);
    expect(table).toMatch(new RegExp(`^${first} .* ${second} follows *$`, 'm'));
    expect(table).toMatch(new RegExp(`^${second} .* follows ${first} +Dependency$`, 'm'));

    // While the first job runs, a connect lands there; nothing else is submitted.
    const during = await chainLaptop.ssh(['slurm-renew', 'echo $SLURM_JOB_ID']);
    expect(String(during.stdout).trim(), String(during.stderr)).toBe(first);
    expect((await jobsOfProfile('renew', CHAIN_USER)).map((j) => j.id).sort()).toEqual([first, second].sort());

    // The time limit ends the first job and its session.
    const ended = await session.ssh;
    expect(String(ended.stderr)).toContain('the job reached its time limit');

    // The next connect (VS Code's reconnect is the same ProxyCommand) lands in the successor, which
    // started as the first job ended (when it is not ready yet, the connect reuses it and waits).
    const after = await chainLaptop.ssh(['slurm-renew', 'echo $SLURM_JOB_ID']);
    expect(String(after.stdout).trim(), String(after.stderr)).toBe(second);
    expect(String(after.stderr)).not.toContain('submitted job');
    const endedAt = Date.parse(String(statusOf(first, CHAIN_USER).find((e) => e.event === 'ended')?.at));
    const readyAt = Date.parse(String(statusOf(second, CHAIN_USER).find((e) => e.event === 'ready')?.at));
    console.log(`renew: job ${second} was ready ${((readyAt - endedAt) / 1000).toFixed(1)} s after job ${first} ended`);
    expect((await jobsOfProfile('renew', CHAIN_USER)).map((j) => j.id)).toEqual([second]);
    // The current session followed: `ssh slurm` (Host <prefix>) and `remote swap` see the successor.
    expect(JSON.parse(fs.readFileSync(`${stateOf(CHAIN_USER)}/current`, 'utf8'))).toEqual({ profile: 'renew', jobId: second });
    expect(String((await chainLaptop.ssh(['slurm', 'echo $SLURM_JOB_ID'])).stdout).trim()).toBe(second);

    // The second link: two jobs of 2 minutes hold 4m, a third would make 6m > renew_max = 5m.
    const again = chainLaptop.open(['-tt', 'slurm-renew', 'echo open; sleep 400'], 'open');
    await again.opened();
    await waitFor(() => again.output().includes('was not renewed'), RENEWAL_WITHIN, 'the cap\'s message in the terminal');
    expect(again.output()).toContain(`slurmhop: job ${second} (renew) was not renewed: renew_max = 5m is reached: the chain's 2 jobs hold 4m since`);
    expect(again.output()).toContain('and a successor would make it 6m');
    expect((await jobsOfProfile('renew', CHAIN_USER)).map((j) => j.id)).toEqual([second]);
    expect(statusOf(second, CHAIN_USER).find((e) => e.event === 'not-renewed')?.why).toMatch(/^renew_max = 5m is reached/);

    // `remote history` shows the chain.
    const history = JSON.parse(String((await chainLaptop.remote(['history', '--json'])).stdout)) as { sessions: Array<Record<string, unknown>> };
    const of = (id: string) => history.sessions.find((s) => s.jobId === id);
    expect(of(first)).toMatchObject({ reason: 'time-limit', renews: null, renewedBy: second, why: `time limit; renewed by job ${second}` });
    expect(of(second)).toMatchObject({ renews: first, renewal: expect.stringMatching(/^not renewed: renew_max = 5m/), why: expect.stringMatching(new RegExp(`^renewal of ${first}: running; not renewed: renew_max`)) });
    expect((await chainLaptop.remote(['cancel', 'renew'])).exitCode).toBe(0);
    await again.ssh;
  }, 420_000);

  itOnceOnBookworm('an idle session gets no successor', async () => {
    expect((await laptop.ssh(['slurm-idle', 'true'])).exitCode).toBe(0);
    const [job] = await jobsOfProfile('idle');
    await waitFor(() => statusOf(job!.id).some((e) => e.event === 'not-renewed'), RENEWAL_WITHIN, 'the idle job\'s renewal to be decided');
    expect(statusOf(job!.id).find((e) => e.event === 'not-renewed')).toMatchObject({ why: expect.stringContaining('no session was active') });
    expect((await jobsOfProfile('idle')).map((j) => j.id)).toEqual([job!.id]);
    const log = fs.readFileSync(`${stateOf(USER)}/logs/${job!.id}.out`, 'utf8');
    expect(log).toContain('renew: no successor: no session was active');
    await onNode('login', USER, ['scancel', job!.id]);
  }, 240_000);

  itOnceOnBookworm('"remote cancel <jobid>" of a link ends the whole chain', async () => {
    const { session, jobId: first } = await openSession('cut', 400);
    const second = await renewed(session);
    const r = await laptop.remote(['cancel', first]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n')).toEqual([`cancelled job ${first} (cut, running)`, `cancelled job ${second} (cut, pending, the successor of ${first})`]);
    await waitFor(async () => (await jobsOfProfile('cut')).length === 0, 30_000, 'both jobs to leave the queue');
    await session.ssh;
    expect(statusOf(second)).toEqual([]); // it never started
  }, 240_000);

  itOnceOnBookworm('a plain scancel of the running link: the job cancels its successor itself, and history says so', async () => {
    const { session, jobId: first } = await openSession('scancel', 400);
    const second = await renewed(session);
    await onNode('login', USER, ['scancel', first]);
    await waitFor(async () => (await jobsOfProfile('scancel')).length === 0, 30_000, 'the successor to be cancelled with its predecessor');
    await session.ssh;
    expect(statusOf(first).find((e) => e.event === 'chain-ended')).toMatchObject({ successor: second, why: `job ${first} ended (cancelled) before its time limit` });
    const history = JSON.parse(String((await laptop.remote(['history', '--json'])).stdout)) as { sessions: Array<Record<string, unknown>> };
    expect(history.sessions.find((s) => s.jobId === first)).toMatchObject({ reason: 'cancelled', renewedBy: second, renewal: `its successor, job ${second}, was cancelled with it` });
    expect(history.sessions.find((s) => s.jobId === second)).toMatchObject({ renews: first, state: 'never-started' });
  }, 240_000);

  itOnceOnBookworm('a partition closed to new jobs refuses the successor: the terminal and the job\'s log say so in words, nothing is left queued', async () => {
    const { session, jobId } = await openSession('refused', 400);
    const closed = await onNode('login', 'root', ['scontrol', 'update', `PartitionName=${PARTITION}`, 'State=DRAIN']);
    expect(closed.exitCode, String(closed.stderr)).toBe(0);
    await waitFor(() => session.output().includes('was not renewed'), RENEWAL_WITHIN, 'the refusal in the terminal');
    const words = 'Slurm refused the successor: Batch job submission failed: Required partition not available (inactive or drain) (the partition takes no new jobs now (maintenance?))';
    expect(session.output()).toContain(`slurmhop: job ${jobId} (refused) was not renewed: ${words}`);
    expect(fs.readFileSync(`${stateOf(USER)}/logs/${jobId}.out`, 'utf8')).toContain(`renew: no successor: ${words}`);
    expect((await jobsOfProfile('refused')).map((j) => j.id)).toEqual([jobId]);
    await onNode('login', USER, ['scancel', jobId]);
    await session.ssh;
  }, 240_000);
});
