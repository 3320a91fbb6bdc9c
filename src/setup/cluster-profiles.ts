// Profiles for config.ini from what `sinfo` shows: `cpu` on the default
// partition and, where a partition has GPUs, `gpu`. Profiles the user already
// has are kept as they are; only missing sections are appended.
import { parseConfig } from '../config/index.js';
import { setupError } from './errors.js';

export interface Partition {
  name: string;
  isDefault: boolean;
  gres: string[];
  timeLimit: string;
}

/** `sinfo -h -o '%P|%G|%l'`: one line per partition and node group. */
export function parseSinfo(text: string): Partition[] {
  const byName = new Map<string, Partition>();
  for (const line of text.split('\n')) {
    const [rawName, gres = '', timeLimit = ''] = line.trim().split('|');
    if (!rawName) continue;
    const name = rawName.replace(/\*$/, '');
    const p = byName.get(name) ?? { name, isDefault: rawName.endsWith('*'), gres: [], timeLimit };
    p.gres.push(gres);
    byName.set(name, p);
  }
  return [...byName.values()];
}

const hasGpu = (g: string) => /(^|,)gpu[:(]/.test(g) || g === 'gpu';
export const DEFAULT_TIME = '8:00:00';

/** Sections (name -> key/values) to propose. */
export function proposeProfiles(partitions: Partition[]): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  const def = partitions.find((p) => p.isDefault) ?? partitions[0];
  if (def) out.set('cpu', [['partition', def.name], ['time', shorterTime(def.timeLimit)]]);
  const gpuParts = partitions.filter((p) => p.gres.some(hasGpu));
  // A partition whose every node has a GPU before one that only has some.
  const gpu = gpuParts.find((p) => p.gres.every(hasGpu)) ?? gpuParts[0];
  if (gpu) out.set('gpu', [['partition', gpu.name], ['gres', 'gpu:1'], ['time', shorterTime(gpu.timeLimit)]]);
  return out;
}

/** The partition's limit when it is below 8 hours, else 8 hours. */
function shorterTime(limit: string): string {
  const m = /^(?:(\d+)-)?(\d+):(\d+):(\d+)$/.exec(limit);
  if (!m) return DEFAULT_TIME;
  const seconds = Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return seconds < 8 * 3600 ? limit : DEFAULT_TIME;
}

export interface ConfigPlan {
  text: string | undefined;
  before: string | undefined;
  profiles: string[];
  added: string[];
}

export function planConfigIni(existing: string | undefined, file: string, proposal: Map<string, Array<[string, string]>>): ConfigPlan {
  let have: string[] = [];
  if (existing !== undefined) {
    try {
      have = [...parseConfig(existing, file).keys()];
    } catch (err) {
      throw setupError('cluster-step', `${(err as Error).message}`, `fix ${file} on the cluster (your own settings are kept; the wizard only adds profiles); nothing was written`);
    }
  }
  const added = [...proposal.keys()].filter((p) => !have.includes(p));
  if (added.length === 0) return { text: existing, before: existing, profiles: have, added };
  let text = existing ?? '# slurmhop profiles: one [profile.NAME] per "ssh <prefix>-NAME" (see TUTORIAL.md)\n';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (text !== '' && !text.endsWith('\n')) text += eol;
  for (const name of added) {
    const lines = [`[profile.${name}]`, ...proposal.get(name)!.map(([k, v]) => `${k} = ${v}`)];
    text += `${text.trim() === '' ? '' : eol}${lines.join(eol)}${eol}`;
  }
  return { text, before: existing, profiles: [...have, ...added], added };
}
