// Generic resources (GPUs) as sinfo writes a node's configured and used ones:
// "gpu:4", "gpu:a100:4(S:0-1)", "gpu:a100:2(IDX:0-1),gpu:v100:0(IDX:N/A)",
// "gpu:(null):0" (older Slurm), "(null)" or "N/A" for none.

export interface GresCount {
  name: string;
  /** The type ("a100"), undefined for an untyped resource. */
  type?: string | undefined;
  count: number;
}

const SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseGres(text: string): GresCount[] {
  const found: GresCount[] = [];
  for (const item of splitOutsideParens(text.trim())) {
    const entry = item.replace(/\(.*\)$/, '').trim();
    if (!entry || entry === '(null)' || entry === 'N/A') continue;
    const parts = entry.split(':');
    const name = parts[0]!;
    if (!/^[A-Za-z][\w.-]*$/.test(name)) continue;
    const last = parts.length > 1 ? parts.at(-1)! : '1';
    const m = /^(\d+)([kmgt]?)$/i.exec(last);
    // "gpu:a100" (a type without a count) means one; a count that does not parse is not counted.
    const count = m ? Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]! : parts.length === 2 ? 1 : NaN;
    if (!Number.isFinite(count)) continue;
    const type = parts.length > 2 || !m ? parts[1] : undefined;
    found.push({ name, type: type && type !== '(null)' ? type : undefined, count });
  }
  return found;
}

/** "gpu:a100:4" / "gpu": how the summary names one kind. */
export const gresLabel = (g: { name: string; type?: string | undefined }) => (g.type ? `${g.name}:${g.type}` : g.name);

function splitOutsideParens(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items;
}
