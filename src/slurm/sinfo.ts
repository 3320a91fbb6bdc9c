// sinfo: every node of every partition in one call, with its state, CPUs and
// generic resources (configured and in use).
import { parseGres, type GresCount } from './gres.js';
import { checked, type SlurmRunner } from './run.js';

export interface NodeRow {
  partition: string;
  /** The cluster's default partition (sinfo marks it with "*"). */
  isDefault: boolean;
  node: string;
  /** sinfo's long state, lower case, with its flags: "idle", "mixed", "down*", "idle~", "drained". */
  state: string;
  cpus: { allocated: number; idle: number; other: number; total: number };
  gres: GresCount[];
  gresUsed: GresCount[];
}

// -O fields (GresUsed has no -o letter); size 0: never cut, never padded. The last one, free text, has no suffix.
const FIELDS = ['Partition', 'NodeHost', 'StateLong', 'CPUsState', 'Gres', 'GresUsed'];
const FORMAT = FIELDS.map((f, i) => `${f}:0${i < FIELDS.length - 1 ? '|' : ''}`).join(',');

export async function listNodes(run: SlurmRunner): Promise<NodeRow[]> {
  return parseSinfo(checked('sinfo', await run('sinfo', ['--noheader', '--Node', `--Format=${FORMAT}`])));
}

export function parseSinfo(output: string): NodeRow[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [partition = '', node = '', state = '', cpus = '', gres = '', ...used] = line.split('|').map((c) => c.trim());
      const [allocated = 0, idle = 0, other = 0, total = 0] = cpus.split('/').map((n) => Number(n) || 0);
      return {
        partition: partition.replace(/\*$/, ''),
        isDefault: partition.endsWith('*'),
        node,
        state: state.toLowerCase(),
        cpus: { allocated, idle, other, total },
        gres: parseGres(gres),
        gresUsed: parseGres(used.join('|')),
      };
    });
}

/**
 * A node that can take a job now: idle or partly used, and nothing else said
 * of it but "~" (powered down to save energy: it starts on demand). Not
 * responding ("*"), draining, down, reserved, booting, planned for another
 * job ("-"): not now.
 */
export function usableNow(state: string): boolean {
  const m = /^([a-z_]+)([^a-z_+]*)$/.exec(state);
  return m !== null && (m[1] === 'idle' || m[1] === 'mixed') && /^~?$/.test(m[2]!);
}
