// Which line of a config gives a host its setting: OpenSSH takes the first
// value it meets, so settings written before the managed block (outside any
// Host, or under a Host pattern that matches) would win over the block's.
// Host and `Match all|host|originalhost` are evaluated; other Match criteria
// and Include are not followed.
import { splitLines } from './text-file.js';

export interface Setting {
  value: string;
  line: number;
}

export function effectiveSettings(text: string, host: string, keys: string[]): Map<string, Setting> {
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  const found = new Map<string, Setting>();
  let active = true;
  for (const line of splitLines(text)) {
    const body = line.text.replace(/^\uFEFF/, '').trim();
    if (body === '' || body.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(body);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'host') {
      active = hostMatches(host, words(value));
    } else if (key === 'match') {
      active = matchApplies(host, words(value));
    } else if (active && wanted.has(key) && !found.has(key)) {
      found.set(key, { value, line: line.no });
    }
  }
  return found;
}

function words(value: string): string[] {
  return (value.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, ''));
}

/** ssh_config PATTERNS: any positive pattern matches and no negated one does. */
export function hostMatches(host: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns.flatMap((w) => w.split(','))) {
    if (p.startsWith('!')) {
      if (glob(host, p.slice(1))) return false;
    } else if (glob(host, p)) {
      matched = true;
    }
  }
  return matched;
}

function matchApplies(host: string, criteria: string[]): boolean {
  if (criteria.length === 1 && criteria[0]!.toLowerCase() === 'all') return true;
  for (let i = 0; i < criteria.length; i += 2) {
    const c = criteria[i]!.toLowerCase();
    if (c !== 'host' && c !== 'originalhost') return false;
    if (!hostMatches(host, [criteria[i + 1] ?? ''])) return false;
  }
  return criteria.length > 0;
}

function glob(s: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(s);
}
