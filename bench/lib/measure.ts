// Timing helpers: wall-clock of whole commands, medians of interleaved runs.
import { execa, type Options } from 'execa';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The median over rounds of f(a[i], b[i]), for commands run back to back in
 * each round (interleave): what the rounds share (the machine's drift, and a
 * connect's bimodal spread: both chains fall at random into a mode some 40 ms
 * slower, the login connection's delayed acknowledgement) cancels in each
 * pair, where a difference of medians jumps between the modes.
 */
export function pairedMedian(a: number[], b: number[], f: (a: number, b: number) => number): number {
  if (a.length !== b.length) throw new Error(`pairedMedian: ${a.length} rounds against ${b.length}`);
  return median(a.map((x, i) => f(x, b[i]!)));
}

/**
 * The standard error of pairedMedian's figure: of a median of n values, about
 * 1.2533 standard deviations over the root of n (the rounds' own spread).
 * A figure nearer its target than about twice this is not decided by the run.
 */
export function pairedMedianError(a: number[], b: number[], f: (a: number, b: number) => number): number {
  const values = a.map((x, i) => f(x, b[i]!));
  const m = mean(values);
  const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
  return (1.2533 * sd) / Math.sqrt(values.length);
}

/** Seconds a command takes (until its output pipes close); throws with its stderr when it fails. */
export async function timeCommand(file: string, args: string[], options: Options = {}): Promise<number> {
  return (await timeExitAndClose(file, args, options)).closed;
}

/**
 * Seconds until a command exits, and until its output pipes close (what
 * `$(cmd)` waits for: any process that inherited them keeps them open).
 */
export async function timeExitAndClose(file: string, args: string[], options: Options = {}): Promise<{ exit: number; closed: number }> {
  const start = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - start) / 1e9;
  const child = execa(file, args, { reject: false, stdin: 'ignore', ...options });
  let exit = NaN;
  child.on('exit', () => (exit = since()));
  const r = await child;
  const closed = since();
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.exitCode}): ${String(r.stderr).slice(0, 500)}`);
  return { exit, closed };
}

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * Runs A and B alternately (ABAB..., after one warm-up each) so that machine
 * noise hits both alike; returns the per-run seconds of each.
 */
export async function interleave(rounds: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  await a();
  await b();
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2) {
      out.b.push(await b());
      out.a.push(await a());
    } else {
      out.a.push(await a());
      out.b.push(await b());
    }
  }
  return out;
}

/** Like interleave, for any number of commands: each round runs them all, in an order that rotates. */
export async function interleaveAll(rounds: number, fns: Array<() => Promise<number>>): Promise<number[][]> {
  for (const f of fns) await f();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < fns.length; k++) {
      const j = (i + k) % fns.length;
      out[j]!.push(await fns[j]!());
    }
  }
  return out;
}

export interface Figure {
  figure: string;
  ours: string;
  floor: string;
  result: string;
  target: string;
  met: boolean | null;
  details?: Record<string, unknown>;
}

export const fmt = (seconds: number) => (seconds < 1 ? `${(seconds * 1000).toFixed(1)} ms` : `${seconds.toFixed(3)} s`);

/** A difference with its sign: "+ 4.1 ms", "− 3.9 ms". */
export const signed = (seconds: number) => `${seconds < 0 ? '−' : '+'} ${fmt(Math.abs(seconds))}`;
