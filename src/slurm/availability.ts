// What is free now, per partition: nodes, CPUs and generic resources (GPUs,
// per type) on the nodes that can take a job now, and how many jobs of
// everyone wait in the partition. From one sinfo and one squeue.
import { gresLabel } from './gres.js';
import { checked, type SlurmRunner } from './run.js';
import { listNodes, usableNow, type NodeRow } from './sinfo.js';

export interface GresAvailability {
  name: string;
  type?: string | undefined;
  /** Not in use, on nodes that can take a job now. */
  free: number;
  /** Configured on every node of the partition, whatever its state. */
  total: number;
}

export interface PartitionAvailability {
  name: string;
  isDefault: boolean;
  nodes: { total: number; idle: number; usable: number };
  cpus: { idle: number; total: number };
  gres: GresAvailability[];
  /** Jobs of every user waiting for this partition (one asking for several counts in each). */
  pending: number;
}

export async function partitionAvailability(run: SlurmRunner): Promise<PartitionAvailability[]> {
  const nodes = await listNodes(run);
  const pending = checked('squeue', await run('squeue', ['--noheader', '--local', '--states=PENDING', '--format=%P']));
  return summarize(nodes, pending.split('\n').map((l) => l.trim()).filter(Boolean));
}

/** `pendingPartitions`: one line per pending job, its partitions ("gpu" or "gpu,gpu-long"). */
export function summarize(nodes: NodeRow[], pendingPartitions: string[]): PartitionAvailability[] {
  const byName = new Map<string, PartitionAvailability>();
  const gresOf = new Map<string, Map<string, GresAvailability>>();
  for (const row of nodes) {
    let p = byName.get(row.partition);
    if (!p) {
      p = { name: row.partition, isDefault: row.isDefault, nodes: { total: 0, idle: 0, usable: 0 }, cpus: { idle: 0, total: 0 }, gres: [], pending: 0 };
      byName.set(row.partition, p);
      gresOf.set(row.partition, new Map());
    }
    const usable = usableNow(row.state);
    p.nodes.total++;
    p.cpus.total += row.cpus.total;
    if (usable) {
      p.nodes.usable++;
      if (row.state.startsWith('idle')) p.nodes.idle++;
      p.cpus.idle += row.cpus.idle;
    }
    const kinds = gresOf.get(row.partition)!;
    for (const g of row.gres) {
      const label = gresLabel(g);
      const entry = kinds.get(label) ?? { name: g.name, type: g.type, free: 0, total: 0 };
      kinds.set(label, entry);
      entry.total += g.count;
      if (usable) entry.free += Math.max(0, g.count - usedOf(row, g));
    }
  }
  for (const line of pendingPartitions) {
    for (const name of new Set(line.split(','))) {
      const p = byName.get(name);
      if (p) p.pending++;
    }
  }
  for (const [name, p] of byName) p.gres = [...gresOf.get(name)!.values()].sort((a, b) => gresLabel(a).localeCompare(gresLabel(b)));
  return [...byName.values()];
}

/** The part of a configured kind in use; an untyped count in use applies to the only type of its name. */
function usedOf(row: NodeRow, g: { name: string; type?: string | undefined }): number {
  const typesOfName = row.gres.filter((c) => c.name === g.name).length;
  return row.gresUsed
    .filter((u) => u.name === g.name && (u.type === g.type || (u.type === undefined && typesOfName === 1)))
    .reduce((sum, u) => sum + u.count, 0);
}
