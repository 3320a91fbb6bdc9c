// Where a warm connect's milliseconds go on the login node: `remote proxy`
// run there with SLURMHOP_TIMING=1 (src/timing.ts marks), until the job sshd's
// banner is on its stdout, against `nc NODE PORT` to the same sshd.
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

/** Each phase: from the mark before it to its own (ms since the process started). */
const PHASES: Array<[string, string, string]> = [
  ['exec of the executable (before Node\'s clock)', 'spawn', 'origin'],
  ['V8 start', 'origin', 'v8-started'],
  ['Node bootstrap', 'v8-started', 'node-ready'],
  ['first script loaded (SEA main, code cache)', 'node-ready', 'first-script'],
  ['launcher (installed release?)', 'first-script', 'launcher-done'],
  ['warm path modules (net)', 'launcher-done', 'warm-path-loaded'],
  ['contact and liveness read', 'warm-path-loaded', 'contacts-read'],
  ['TCP connect to the job sshd', 'contacts-read', 'tcp-connected'],
  ['banner check (slurmhop-<job>)', 'tcp-connected', 'banner-read'],
  ['update check (due?)', 'banner-read', 'update-check-done'],
  ['hand-off to the relay (execve)', 'update-check-done', 'execve'],
  ['relay start: bash, /dev/tcp, dd, the banner again', 'execve', 'banner'],
];

export async function warmBreakdown(laptop: Laptop, rounds: number): Promise<Figure> {
  await timeCommand('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const { node, port } = currentContact(laptop.user);
  const script = fs.readFileSync(path.join(ROOT, 'bench/lib/proxy-start.py'), 'utf8');
  const r = await onNode('login', laptop.user, ['python3', '-', String(rounds), `${homeOf(laptop.user)}/.local/bin/remote`, 'cpu', node, String(port)], { input: script });
  if (r.exitCode !== 0) throw new Error(`proxy-start.py failed: ${String(r.stderr).slice(0, 500)}`);
  const runs = String(r.stdout).trim().split('\n').map((l) => JSON.parse(l) as Run);
  const ours = runs.filter((x) => x.kind === 'ours' && x.ok && x.marks.execve !== undefined);
  const nc = runs.filter((x) => x.kind === 'nc' && x.ok);
  if (ours.length < rounds / 2) throw new Error(`only ${ours.length} of ${rounds} warm proxies took the warm path`);
  // Every time on one scale: ms since the spawn.
  const at = (x: Run, mark: string) => (mark === 'spawn' ? 0 : mark === 'banner' ? x.banner : mark === 'origin' ? x.marks.origin! - x.spawnedAt : x.marks.origin! - x.spawnedAt + x.marks[mark]!);
  const phases = PHASES.map(([name, from, to]) => ({ name, ms: median(ours.map((x) => at(x, to) - at(x, from))) }));
  const total = median(ours.map((x) => x.banner));
  const floor = median(nc.map((x) => x.banner));
  return {
    figure: 'warm proxy on the login node, to the job sshd\'s banner: where the time goes',
    ours: fmt(total / 1000),
    floor: `${fmt(floor / 1000)} (nc NODE PORT)`,
    result: 'by phase: below the table',
    target: '(breakdown)',
    met: null,
    details: { rounds: ours.length, phasesMs: phases, totalMs: total, ncMs: floor },
  };
}
