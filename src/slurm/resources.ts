// What the user's jobs ask of the cluster, as squeue tells it: partitions,
// nodes and the generic resources (GPUs) each needs, to tell which of one's own
// jobs a pending one may be waiting for.
import { checked, type SlurmRunner } from './run.js';

export interface JobResources {
  id: string;
  name: string;
  state: string;
  /** One or more (a job submitted to several partitions): "gpu,gpu-long". */
  partitions: string[];
  nodes: string;
  /** The names of the generic resources it asks for per node: ["gpu"]. */
  gres: string[];
  reason: string;
}

// %b is the job's tres-per-node (squeue keeps the letter for it, a "vestigial
// option" in its source). The reason, the only free text, comes last.
const FIELDS = ['%i', '%j', '%T', '%P', '%N', '%b', '%r'];
const FORMAT = FIELDS.join('|');

/** Every job of the user (--local: no federation lookup). */
export async function listJobResources(run: SlurmRunner, user: string): Promise<JobResources[]> {
  const result = await run('squeue', ['--noheader', '--local', `--format=${FORMAT}`, `--user=${user}`]);
  return parseJobResources(checked('squeue', result));
}

export function parseJobResources(output: string): JobResources[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cols = line.split('|');
      const [id, name, state, partitions, nodes, tres] = cols;
      return {
        id: id!.trim(),
        name: name ?? '',
        state: state ?? '',
        partitions: (partitions ?? '').split(',').filter(Boolean),
        nodes: nodes ?? '',
        gres: gresNames(tres ?? ''),
        reason: cols.slice(FIELDS.length - 1).join('|'), // the reason may hold '|'
      };
    });
}

/**
 * The resource names in a tres-per-node value, whichever Slurm wrote it:
 * "gpu:2" (before 21.08), "gres:gpu:a100:2" (21.08), "gres/gpu:2" (later);
 * "N/A" or "(null)" for none. Only generic resources count.
 */
export function gresNames(tres: string): string[] {
  const names = new Set<string>();
  for (const item of tres.split(',')) {
    const entry = item.trim();
    if (!entry || entry === 'N/A' || entry === '(null)') continue;
    const m = /^(?:gres[:/])?([A-Za-z][\w.-]*)/.exec(entry);
    if (!m) continue;
    // Other TRES kinds ("license/x", "bb/y") are not resources of a node.
    if (/^(license|bb|fs|ic|billing|cpu|mem|node|energy|pages|vmem)[:/=]/.test(entry)) continue;
    names.add(m[1]!);
  }
  return [...names];
}
