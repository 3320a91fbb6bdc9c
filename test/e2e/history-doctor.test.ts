// remote history and remote doctor on the real cluster, as hal: sessions that
// were cancelled, went idle, hit their time limit or never started are told
// apart from the state files after squeue has stopped listing them, also with
// no usable scheduler; doctor finds a broken config and a state directory
// others can read, says how to fix them, and passes on a healthy setup.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOf, homeOf, installRemote, jobsOf, Laptop, onNode, resetUser, stateOf, waitFor, writeConfig } from './harness.js';

const USER = 'hal';
const REMOTE = `${homeOf(USER)}/.local/bin/remote`;
const CONFIG = `[profile.cpu]
partition = interactive
time = 30:00

[profile.idle]
partition = interactive
idle_timeout = 3

[profile.short]
partition = interactive
time = 1

# Held for an hour by --begin: the proxy gives up after 3 s and cancels it while pending.
[profile.never]
partition = interactive
sbatch_args = --begin=now+3600
pending_timeout = 3
`;
let laptop: Laptop;

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, CONFIG);
  await resetUser(USER);
  laptop = new Laptop(USER, ['cpu', 'idle', 'short', 'never']);
  await laptop.pinHostKey();
});

afterAll(async () => {
  fs.chmodSync(stateOf(USER), 0o700);
  writeConfig(USER, CONFIG);
  await resetUser(USER);
  laptop.dispose();
});

const lastEvent = (jobId: string) => {
  const file = `${stateOf(USER)}/jobs/${jobId}/status`;
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as { event: string; reason?: string };
};

/** Connects (the job stays for later connects) and returns the new job's id. */
async function connect(profile: string, known: Set<string>): Promise<string> {
  const r = await laptop.ssh([`slurm-${profile}`, 'true']);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const dirs = fs.readdirSync(`${stateOf(USER)}/jobs`).filter((id) => !known.has(id));
  expect(dirs).toHaveLength(1);
  known.add(dirs[0]!);
  return dirs[0]!;
}

interface Session {
  jobId: string;
  profile: string | null;
  node: string | null;
  state: string;
  reason: string | null;
  why: string;
  durationSeconds: number | null;
  submittedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

describe('remote history', () => {
  const ids: Record<string, string> = {};

  it('cancelled, idle, time limit and never started, after squeue has stopped listing them', async () => {
    const known = new Set<string>();
    // The time limit takes longest (1 minute, enforced within about 30 s more): it goes first.
    ids.short = await connect('short', known);
    ids.cpu = await connect('cpu', known);
    const cancel = await laptop.remote(['cancel', ids.cpu]);
    expect(cancel.exitCode, String(cancel.stderr)).toBe(0);
    await waitFor(() => lastEvent(ids.cpu!)?.event === 'ended', 20_000, 'the cancelled job to record its end');
    ids.idle = await connect('idle', known);
    const proxy = await laptop.remote(['proxy', 'never'], { stdin: 'pipe' });
    expect(proxy.exitCode, String(proxy.stderr)).toBe(5);
    ids.never = fs.readdirSync(`${stateOf(USER)}/jobs`).find((id) => !known.has(id))!;
    expect(ids.never).toBeDefined();
    await waitFor(async () => (await jobsOf(USER)).length === 0, 200_000, 'every job of hal to leave the queue (the time limit)');
    expect(lastEvent(ids.short!)).toMatchObject({ event: 'ended', reason: 'time-limit' });

    const r = await laptop.remote(['history', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const history = JSON.parse(String(r.stdout)) as { sessions: Session[]; total: number; slurm: { asked: boolean; error: string | null } };
    expect(history.total).toBe(4);
    // Newest first: in the order they were submitted, reversed.
    expect(history.sessions.map((s) => s.jobId)).toEqual([ids.never, ids.idle, ids.cpu, ids.short]);
    const [never, idle, cpu, short] = history.sessions;
    expect(cpu).toMatchObject({ profile: 'cpu', state: 'ended', reason: 'cancelled', why: 'cancelled' });
    expect(idle).toMatchObject({ profile: 'idle', state: 'ended', reason: 'idle', why: 'idle (idle_timeout)' });
    expect(short).toMatchObject({ profile: 'short', state: 'ended', reason: 'time-limit', why: 'time limit' });
    expect(never).toMatchObject({ profile: 'never', state: 'never-started', reason: null, node: null, startedAt: null, why: 'never started (cancelled while pending?)' });
    for (const s of [cpu, idle, short]) {
      expect(s!.node).toMatch(/^c[12]$/);
      expect(Date.parse(s!.submittedAt!)).toBeLessThanOrEqual(Date.parse(s!.startedAt!));
      expect(Date.parse(s!.startedAt!)).toBeLessThan(Date.parse(s!.endedAt!));
    }
    expect(short!.durationSeconds).toBeGreaterThanOrEqual(55);
    expect(short!.durationSeconds).toBeLessThan(150);
    // Only the job with no recorded end was asked about, and Slurm answered that it no longer has it.
    expect(history.slurm).toEqual({ asked: true, error: null });

    const table = await laptop.remote(['history']);
    expect(table.exitCode).toBe(0);
    const lines = String(table.stdout).split('\n');
    expect(lines[0]).toMatch(/^JOBID +PROFILE +NODE +SUBMITTED +STARTED +ENDED +DURATION +OUTCOME$/);
    expect(lines.slice(1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)[1]])).toEqual([
      [ids.never, 'never'],
      [ids.idle, 'idle'],
      [ids.cpu, 'cpu'],
      [ids.short, 'short'],
    ]);
    expect(lines[1]).toMatch(/never started \(cancelled while pending\?\)$/);
    expect(lines[2]).toMatch(/ idle \(idle_timeout\)$/);
    expect(lines[3]).toMatch(/ cancelled$/);
    expect(lines[4]).toMatch(/ [12]m\d\ds +time limit$/);
  }, 300_000);

  it('answers without Slurm\'s commands on PATH, from the records alone', async () => {
    const r = await onNode('login', USER, ['env', 'PATH=/nonexistent', REMOTE, 'history', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const history = JSON.parse(String(r.stdout)) as { sessions: Session[]; slurm: { error: string | null } };
    expect(history.slurm.error).toBe('squeue was not found on PATH');
    expect(String(r.stderr)).toContain('Slurm did not answer (squeue was not found on PATH): jobs with no recorded end are described from their records alone');
    expect(history.sessions.map((s) => [s.jobId, s.reason, s.why])).toEqual([
      [ids.never, null, 'never started (still pending, or cancelled while pending?)'],
      [ids.idle, 'idle', 'idle (idle_timeout)'],
      [ids.cpu, 'cancelled', 'cancelled'],
      [ids.short, 'time-limit', 'time limit'],
    ]);
  });

  it('answers when slurmctld cannot be reached (a slurm.conf naming an address nobody has), within its 10 s for Slurm', async () => {
    const conf = `${homeOf(USER)}/.unreachable-slurm.conf`;
    const clusterDir = process.env.SLURMHOP_CLUSTER_DIR || '/var/lib/slurmhop-cluster';
    fs.writeFileSync(conf, fs.readFileSync(`${clusterDir}/etc/slurm.conf`, 'utf8').replace(/^SlurmctldHost=.*$/m, 'SlurmctldHost=login(10.77.0.250)'));
    try {
      const started = Date.now();
      const r = await onNode('login', USER, ['env', `SLURM_CONF=${conf}`, REMOTE, 'history']);
      const seconds = (Date.now() - started) / 1000;
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(seconds).toBeLessThan(16);
      expect(String(r.stderr)).toMatch(/Slurm did not answer \((squeue did not answer within 10s|squeue failed: .*Unable to contact slurm controller.*)\)/);
      expect(String(r.stdout)).toMatch(/never started \(still pending, or cancelled while pending\?\)/);
      expect(String(r.stdout)).toMatch(/ time limit$/m);
    } finally {
      fs.rmSync(conf, { force: true });
    }
  });
});

describe('remote doctor', () => {
  const STATE = stateOf(USER);

  it('passes on a healthy setup, with a real sbatch --test-only of the cpu profile', async () => {
    const r = await laptop.remote(['doctor']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = String(r.stdout);
    for (const name of ['state directory', 'home directory', 'version', 'config', 'host key', 'authorized_keys', 'Slurm', 'test submission', 'updates']) {
      expect(out, out).toMatch(new RegExp(`^ok {4}${name} `, 'm'));
    }
    expect(out).toMatch(/^ok {4}test submission +profile cpu, sbatch --test-only \(no job is queued\): would start at .* in partition interactive$/m);
    expect(out).toMatch(/^ok {4}version +slurmhop \S+ \(built-in copy\), linux x86_64, glibc 2\.\d+$/m);
    expect(out.trim().split('\n').at(-1)).toBe('all 9 checks passed');
    expect((await jobsOf(USER)).length).toBe(0); // --test-only queues nothing
  });

  it('a state directory others can read (chmod 755): FAIL with the fix, exit 12, and the mode is left as found', async () => {
    const chmod = await onNode('login', USER, ['chmod', '755', STATE]);
    expect(chmod.exitCode).toBe(0);
    try {
      const r = await laptop.remote(['doctor']);
      expect(r.exitCode).toBe(12);
      expect(String(r.stdout)).toContain(`FAIL  state directory  ${STATE} is 0755: your group and others can read/enter it\n                       fix: chmod 700 ${STATE}\n`);
      expect(String(r.stderr)).toBe('slurmhop: 1 of 9 checks failed: the fix is under each');
      expect(fs.statSync(STATE).mode & 0o777).toBe(0o755);
    } finally {
      fs.chmodSync(STATE, 0o700);
    }
  });

  it('a broken config.ini: FAIL with file:line and the fix; the test submission is not run', async () => {
    writeConfig(USER, '[profile.cpu]\npartition = interactive\nthis line is broken\n');
    try {
      const r = await laptop.remote(['doctor']);
      expect(r.exitCode).toBe(12);
      const out = String(r.stdout);
      expect(out).toContain(`FAIL  config           ${configOf(USER)}:3: cannot read this line: "this line is broken"\n`);
      expect(out).toContain(`fix: expected "[section]", "key = value" or a comment starting with # (in ${configOf(USER)}); nothing is submitted until it loads\n`);
      expect(out).toMatch(/^warn  test submission  not run: config\.ini does not load \(see above\)$/m);
      expect(out).toMatch(/^ok {4}Slurm /m);
      expect(String(r.stderr)).toBe('slurmhop: 1 of 9 checks failed, 2 warnings: the fix is under each');
    } finally {
      writeConfig(USER, CONFIG);
    }
  });
});
