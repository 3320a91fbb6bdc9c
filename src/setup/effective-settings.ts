// Which line of a config gives a host its setting: OpenSSH takes the first
// value it meets, so settings written before the managed block (outside any
// Host, or under a Host pattern that matches) would win over the block's.
// Host and `Match all|host|originalhost` are evaluated; what cannot be
// evaluated here (Match exec, user, localuser, localnetwork, canonical, ...)
// may apply, and an Include may set anything: both count as setting the key.
import { splitLines } from './text-file.js';

export interface Setting {
  value: string;
  line: number;
  /** The `Match` line (its number and text) under which it may apply: not decided here. */
  maybeUnder?: { line: number; text: string } | undefined;
  /** An `Include` line: what it reads may set the key. */
  include?: boolean | undefined;
}

type Applies = 'yes' | 'no' | 'maybe';

export function effectiveSettings(text: string, host: string, keys: string[]): Map<string, Setting> {
  const wanted = new Set(keys.map((k) => k.toLowerCase()));
  const found = new Map<string, Setting>();
  let active: Applies = 'yes';
  let condition: Setting['maybeUnder'];
  for (const line of splitLines(text)) {
    const body = line.text.replace(/^\uFEFF/, '').trim();
    if (body === '' || body.startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(body);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (key === 'host') {
      active = hostMatches(host, words(value)) ? 'yes' : 'no';
      condition = undefined;
    } else if (key === 'match') {
      active = matchApplies(host, words(value));
      condition = active === 'maybe' ? { line: line.no, text: body } : undefined;
    } else if (active !== 'no' && key === 'include') {
      for (const k of wanted) if (!found.has(k)) found.set(k, { value: body, line: line.no, include: true, maybeUnder: condition });
    } else if (active !== 'no' && wanted.has(key) && !found.has(key)) {
      found.set(key, { value, line: line.no, maybeUnder: condition });
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

/** Criteria whose truth depends on nothing but the host name (and `all`, `canonical`, `final` passes, which OpenSSH may make). */
function matchApplies(host: string, criteria: string[]): Applies {
  if (criteria.length === 0) return 'no';
  let result: Applies = 'yes';
  for (let i = 0; i < criteria.length; i++) {
    const raw = criteria[i]!.toLowerCase();
    const negated = raw.startsWith('!');
    const c = negated ? raw.slice(1) : raw;
    if (c === 'all') continue;
    if (c === 'canonical' || c === 'final') {
      result = 'maybe';
      continue;
    }
    const arg = criteria[++i] ?? '';
    if (c === 'host' || c === 'originalhost') {
      if (hostMatches(host, [arg]) === negated) return 'no';
    } else {
      result = 'maybe'; // exec, user, localuser, localnetwork, tagged, version, ...: not known here
    }
  }
  return result;
}

function glob(s: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(s);
}
