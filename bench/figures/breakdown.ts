// Where a warm connect's milliseconds go on the login node, until the job
// sshd's banner is on its stdout, against `nc NODE PORT` to the same sshd:
// the front of remote (bash, what the ProxyCommand runs) and, for context,
// the executable's own warm path (where the front leaves it a connect),
// both with SLURMHOP_TIMING=1 (front/render.ts, src/timing.ts marks).
import fs from 'node:fs';
import path from 'node:path';
import type { Laptop } from '../../test/e2e/harness.js';
import { homeOf, onNode, ROOT } from '../../test/e2e/harness.js';
import { currentContact } from '../lib/chain.js';
import { fmt, median, timeCommand, type Figure } from '../lib/measure.js';

interface Run {
  kind: 'ours' | 'nc';
  ok: boolean;
  banner: number;
  spawnedAt: number;
  marks: Record<string, number>;
}

type Phases = Array<[name: string, from: string, to: string]>;

/** The front: each phase from the mark before it to its own (ms since the process started). */
const FRONT: Phases = [
  ["exec of the front, bash's start", 'spawn', 'origin'],
  ['live index and contact read (bash); the helper started', 'origin', 'contact'],
  ['TCP connect to the job sshd', 'contact', 'tcp-connected'],
  ["liveness mark's age and status size (the helper's stat), while the sshd prepares its banner", 'tcp-connected', 'mark-read'],
  ['the rest of the front read; update check (due?)', 'mark-read', 'update-check-done'],
  ["banner check (slurmhop-<job>): the relay's bash, the banner's wait", 'update-check-done', 'banner-read'],
  ['banner on stdout', 'banner-read', 'banner'],
];

/** The executable's warm path (session/warm.ts): where the front steps aside. */
const EXECUTABLE: Phases = [
  ["exec of the executable (before Node's clock)", 'spawn', 'origin'],
  ['V8 start', 'origin', 'v8-started'],
  ['Node bootstrap', 'v8-started', 'node-ready'],
  ['first script loaded (SEA main, code cache)', 'node-ready', 'first-script'],
  ['launcher (installed release?)', 'first-script', 'launcher-done'],
  ['warm path modules (net), the front kept current', 'launcher-done', 'warm-path-loaded'],
  ['contact and liveness read', 'warm-path-loaded', 'contacts-read'],
  ['TCP connect to the job sshd', 'contacts-read', 'tcp-connected'],
  ['banner check (slurmhop-<job>)', 'tcp-connected', 'banner-read'],
  ['update check (due?)', 'banner-read', 'update-check-done'],
  ['hand-off to the relay (execve)', 'update-check-done', 'execve'],
  ['relay start: bash, /dev/tcp, dd, the banner again', 'execve', 'banner'],
];

export async function warmBreakdown(laptop: Laptop, rounds: number, which: 'front' | 'executable' = 'front'): Promise<Figure> {
  await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']); // the update marker is written: the front answers
  const { node, port } = currentContact(laptop.user);
  const script = fs.readFileSync(path.join(ROOT, 'bench/lib/proxy-start.py'), 'utf8');
  const program = which === 'front' ? `${homeOf(laptop.user)}/.local/bin/remote` : `${homeOf(laptop.user)}/.local/lib/slurmhop/remote`;
  const r = await onNode('login', laptop.user, ['python3', '-', String(rounds), program, 'cpu', node, String(port)], { input: script });
  if (r.exitCode !== 0) throw new Error(`proxy-start.py failed: ${String(r.stderr).slice(0, 500)}`);
  const runs = String(r.stdout).trim().split('\n').map((l) => JSON.parse(l) as Run);
  const phases = which === 'front' ? FRONT : EXECUTABLE;
  const last = phases[phases.length - 2]![2];
  const ours = runs.filter((x) => x.kind === 'ours' && x.ok && x.marks[last] !== undefined);
  const nc = runs.filter((x) => x.kind === 'nc' && x.ok);
  if (ours.length < rounds / 2) throw new Error(`only ${ours.length} of ${rounds} warm proxies took the ${which}'s warm path`);
  // Every time on one scale: ms since the spawn.
  const at = (x: Run, mark: string) => (mark === 'spawn' ? 0 : mark === 'banner' ? x.banner : mark === 'origin' ? x.marks.origin! - x.spawnedAt : x.marks.origin! - x.spawnedAt + x.marks[mark]!);
  const phasesMs = phases.map(([name, from, to]) => ({ name, ms: median(ours.map((x) => at(x, to) - at(x, from))) }));
  const total = median(ours.map((x) => x.banner));
  const floor = median(nc.map((x) => x.banner));
  return {
    figure: which === 'front' ? "warm proxy on the login node (the front of remote), to the job sshd's banner: where the time goes" : "the executable's own warm path (where the front steps aside), to the banner: where the time goes",
    ours: fmt(total / 1000),
    floor: `${fmt(floor / 1000)} (nc NODE PORT)`,
    result: `nc + ${fmt((total - floor) / 1000)}; by phase below the table`,
    target: '(breakdown)',
    met: null,
    details: { rounds: ours.length, phasesMs, totalMs: total, ncMs: floor },
  };
}
