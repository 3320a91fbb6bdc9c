// Where one ssh connect's time goes, from the outside: ssh -v on the laptop
// (and on the ProxyCommand's login connection) and slurmhop's own progress
// lines, each stamped as it arrives. Used for many connects at once, where a
// connect's total says nothing of what it waited for.
import { execa } from 'execa';

export interface Timed {
  exitCode: number | undefined;
  stdout: string;
  /** ms since the common start, for each stderr line. */
  events: Array<{ t: number; line: string }>;
  /** ms since the common start when ssh exited. */
  end: number;
}

/** ssh -v ARGS, its ProxyCommand (`proxy`, run with ssh -v too), every stderr line stamped. */
export async function timedSsh(args: string[], proxy: string, start: number): Promise<Timed> {
  const child = execa('ssh', ['-v', '-o', `ProxyCommand=${proxy.replace(/^ssh /, 'ssh -v ')}`, ...args], { reject: false, stdin: 'ignore' });
  const events: Timed['events'] = [];
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    const t = Date.now() - start;
    const text = rest + d.toString();
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) events.push({ t, line });
  });
  const r = await child;
  return { exitCode: r.exitCode, stdout: String(r.stdout), events, end: Date.now() - start };
}

const MARKS: Array<[name: string, pattern: RegExp]> = [
  ['login', /^debug1: Authenticated to \S+ \(\[?\d+\.\d+\.\d+\.\d+\]?:\d+\)/],
  ['decided', /^slurmhop: (submitted job|reusing your)/],
  ['ready', /^slurmhop: job \d+ ready on/],
  ['banner', /^debug1: Remote protocol version \S+ remote software version .*slurmhop-\d+/],
  ['authenticated', /^debug1: Authenticated to slurm-/],
];

/** The connect's marks (ms since the common start): the login connection, the proxy's decision, the job ready, the job sshd's banner, authenticated. */
export function marksOf(run: Timed): Record<string, number> {
  const marks: Record<string, number> = {};
  for (const { t, line } of run.events) {
    for (const [name, pattern] of MARKS) if (marks[name] === undefined && pattern.test(line)) marks[name] = t;
  }
  marks.end = run.end;
  return marks;
}

/** Consecutive phases between the marks a connect has, by name (e.g. "login→banner"). */
export function phasesOf(marks: Record<string, number>): Record<string, number> {
  const order = ['start', 'login', 'decided', 'ready', 'banner', 'authenticated', 'end'].filter((m) => m === 'start' || marks[m] !== undefined);
  const at = (m: string) => (m === 'start' ? 0 : marks[m]!);
  const out: Record<string, number> = {};
  for (let i = 1; i < order.length; i++) out[`${order[i - 1]}→${order[i]}`] = at(order[i]!) - at(order[i - 1]!);
  return out;
}
