// The profile step's "what is free now": `remote resources --json` on the
// login node, through the wizard's own connection, told per profile (when
// Slurm would start its job, and what is idle in its partition). Whatever
// fails (an older remote without the command, Slurm slow to answer, output
// that does not parse) leaves the step silent: it only informs.
import type { RemoteSession } from './remote-session.js';
import { REMOTE_BINARY } from '../templates/ssh-config-block.js';

export interface ResourcesJson {
  partitions: Array<{
    name: string;
    isDefault: boolean;
    nodes: { total: number; idle: number };
    cpus: { idle: number; total: number };
    gres: Array<{ name: string; type: string | null; free: number; total: number }>;
    pending: number;
  }>;
  profiles: Array<{ name: string; partition: string | null; start: string | null; nodes: string | null; startsNow: boolean; refused: string | null }>;
}

/** How long the wizard waits for the answer (one sinfo, one squeue, a test submission per profile). */
export const RESOURCES_TIMEOUT_MS = 30_000;

/** `front`: remote's front where setup installed it (absolute, or relative to the home). */
export async function fetchResources(session: RemoteSession, front: string = REMOTE_BINARY, timeoutMs = RESOURCES_TIMEOUT_MS): Promise<ResourcesJson | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    const run = session.sh('cd && exec "$1" resources --json 2>/dev/null', [front]).then(
      (r) => (r.code === 0 ? parseResources(r.stdout) : undefined),
      () => undefined,
    );
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function parseResources(text: string): ResourcesJson | undefined {
  try {
    const v = JSON.parse(text) as Partial<ResourcesJson>;
    if (!Array.isArray(v.partitions) || !Array.isArray(v.profiles)) return undefined;
    return v as ResourcesJson;
  } catch {
    return undefined;
  }
}

/** One line per profile the wizard configured: when its job would start, and what is idle where it would run. */
export function resourceLines(r: ResourcesJson, profiles: string[]): string[] {
  const rows = profiles.flatMap((name) => {
    const p = r.profiles.find((x) => x.name === name);
    if (!p) return [];
    const part = r.partitions.find((x) => x.name === p.partition);
    return [[name, wouldStart(p), part ? idle(part) : '']];
  });
  const w0 = Math.max(0, ...rows.map((x) => x[0]!.length));
  const w1 = Math.max(0, ...rows.map((x) => x[1]!.length));
  return rows.map(([a, b, c]) => `${a!.padEnd(w0)}  ${b!.padEnd(w1)}  ${c}`.trimEnd());
}

function wouldStart(p: ResourcesJson['profiles'][number]): string {
  if (p.refused) return `Slurm would not start it: ${p.refused}`;
  if (p.startsNow) return `would start now${p.nodes ? `, on ${p.nodes}` : ''}`;
  // The cluster's clock, as Slurm writes it (no time zone).
  return p.start ? `would wait: start ${p.start.replace('T', ' ').slice(0, 16)} (cluster time)` : 'start time unknown';
}

function idle(p: ResourcesJson['partitions'][number]): string {
  const gres = p.gres.map((g) => `${g.type ? `${g.name}:${g.type}` : g.name} ${g.free} of ${g.total} free`);
  const waiting = p.pending ? [`${p.pending} job${p.pending === 1 ? '' : 's'} waiting`] : [];
  return `${p.name}: ${[`${p.nodes.idle} of ${p.nodes.total} nodes idle`, `${p.cpus.idle} CPUs free`, ...gres, ...waiting].join(', ')}`;
}
