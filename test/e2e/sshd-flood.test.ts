// Another cluster user floods the job's sshd with unauthenticated connects
// from their own node, and the owner still gets in: one address holds at most
// PerSourceMaxStartups of the slots (OpenSSH 8.5+). On OpenSSH 9.8+ (trixie,
// sid) that address is then refused for a while (PerSourcePenalties), while
// the login node that submitted the job is exempt: failing connects of other
// users there lock nobody out. The sshd is the suite's own.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_SOURCE_MAX_STARTUPS } from '../../src/templates/index.js';
import { type Laptop, jobsOf, onNode, prepareUser, PROFILES, resetUser, stateOf, SUITE, waitFor } from './harness.js';

const USER = 'jay';
const NEIGHBOUR = 'bob';
const CONFIG = `${PROFILES}
[profile.flood]
partition = interactive
sbatch_args = --nodelist=c1
`;

// Keeps as many connections to HOST:PORT open as sshd lets it, for SECONDS,
// never sending a byte (each one holds an unauthenticated slot until
// LoginGraceTime); says how many it holds after 600 attempts, and at the end.
const FLOODER = `host=$1 port=$2 seconds=$3
ulimit -n 8192 2>/dev/null
held=0 refused=0 failed=0 attempts=0
end=$((SECONDS + seconds))
while ((SECONDS < end)); do
  attempts=$((attempts + 1))
  if exec {fd}<>"/dev/tcp/$host/$port"; then
    line=
    IFS= read -r -t 5 -u "$fd" line
    case $line in
      SSH-*) held=$((held + 1)) ;;
      *) refused=$((refused + 1)); exec {fd}>&- ;;
    esac
  else
    failed=$((failed + 1))
  fi
  if ((attempts == 600)); then echo "flooding held=$held refused=$refused failed=$failed"; fi
done
echo "done held=$held refused=$refused failed=$failed"`;

// N connects that read the banner and hang up at once (no authentication attempted): what each answered.
const KNOCKER = `for i in $(seq "$3"); do
  if exec {fd}<>"/dev/tcp/$1/$2"; then IFS= read -r -t 5 -u "$fd" line; echo "\${line%$'\\r'}"; exec {fd}>&-; else echo failed; fi
done`;

let laptop: Laptop;

beforeAll(async () => {
  laptop = await prepareUser(USER, ['flood'], CONFIG);
});
afterAll(async () => {
  await onNode('c2', 'root', ['pkill', '-u', NEIGHBOUR]);
  await onNode('login', 'root', ['pkill', '-u', NEIGHBOUR]);
  laptop.dispose();
  await resetUser(USER);
});

const jobFile = (jobId: string, name: string) => `${stateOf(USER)}/jobs/${jobId}/${name}`;
const counts = (line: string) => {
  const n = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? NaN);
  return { held: n('held'), refused: n('refused'), failed: n('failed') };
};

describe("a neighbour's flood of unauthenticated connects to the job's sshd", () => {
  it('holds no more than one address may, and the owner still connects through the login node', async () => {
    const first = await laptop.ssh(['slurm-flood', 'echo $SLURM_JOB_ID']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const jobId = String(first.stdout).trim();
    const { node, port } = JSON.parse(fs.readFileSync(jobFile(jobId, 'contact'), 'utf8')) as { node: string; port: number };
    expect(node).toBe('c1');
    const config = fs.readFileSync(jobFile(jobId, 'sshd_config'), 'utf8');
    const perSource = /^PerSourceMaxStartups /m.test(config);
    const penalties = /^PerSourcePenaltyExemptList /m.test(config);
    // trixie (10.0) and sid (10.6) have OpenSSH 9.8+: penalties on, the login node (10.77.0.1, SLURM_SUBMIT_HOST "login") exempt.
    if (['trixie', 'sid'].includes(SUITE)) expect(config).toMatch(/^PerSourcePenaltyExemptList 10\.77\.0\.1$/m);

    // The neighbour floods from c2 (their own job's node: another address than the login node).
    const flooder = onNode('c2', NEIGHBOUR, ['bash', '-c', FLOODER, 'flooder', node, String(port), '45']);
    let out = '';
    flooder.stdout!.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.includes('flooding'), 60_000, 'the flood to be under way');
      const during = counts(out.split('\n').find((l) => l.startsWith('flooding'))!);
      const owner = await laptop.ssh(['slurm-flood', 'echo landed in $SLURM_JOB_ID']);
      if (process.env.SLURMHOP_FLOOD_DEBUG) process.stderr.write(`flood: ${out}owner: exit ${owner.exitCode} ${String(owner.stderr)}\n`);
      // What the flood got (OpenSSH 9.2 and 10.0, measured: all it could hold, the rest refused at once).
      expect(during.held + during.refused, out).toBe(600);
      if (perSource) expect(during.held, out).toBeLessThanOrEqual(PER_SOURCE_MAX_STARTUPS);
      expect(owner.exitCode, String(owner.stderr)).toBe(0);
      expect(String(owner.stdout).trim()).toBe(`landed in ${jobId}`);
      expect(await jobsOf(USER)).toHaveLength(1);
    } finally {
      flooder.kill('SIGKILL');
      await onNode('c2', 'root', ['pkill', '-KILL', '-u', NEIGHBOUR]);
    }

    if (!penalties) return; // OpenSSH before 9.8: no penalties (bookworm 9.2, bullseye 8.4)
    // The flood's connections ended without authenticating: c2 is now refused, though sshd has room.
    const knocked = await onNode('c2', NEIGHBOUR, ['bash', '-c', KNOCKER, 'knocker', node, String(port), '3']);
    expect(String(knocked.stdout).trim().split('\n')).toEqual(['Not allowed at this time', 'Not allowed at this time', 'Not allowed at this time']);
    expect(fs.readFileSync(jobFile(jobId, 'sshd.log'), 'utf8')).toMatch(/drop connection #\d+ from \[10\.77\.0\.12\]:\d+ on \[[\d.]+\]:\d+ penalty: /);
    // The login node is exempt: the neighbour's failing connects there (30 s of penalties, twice the threshold) lock the owner out of nothing.
    const fromLogin = await onNode('login', NEIGHBOUR, ['bash', '-c', KNOCKER, 'knocker', node, String(port), '30']);
    expect(String(fromLogin.stdout).trim().split('\n').every((l) => l.startsWith('SSH-2.0-'))).toBe(true);
    const owner = await laptop.ssh(['slurm-flood', 'echo landed again']);
    if (process.env.SLURMHOP_FLOOD_DEBUG) process.stderr.write(`c2 knocks: ${String(knocked.stdout)}\nowner after the login node's knocks: exit ${owner.exitCode} ${String(owner.stderr)}\n`);
    expect(owner.exitCode, String(owner.stderr)).toBe(0);
    expect(fs.readFileSync(jobFile(jobId, 'sshd.log'), 'utf8')).not.toMatch(/drop connection #\d+ from \[10\.77\.0\.1\]/);
  });
});
