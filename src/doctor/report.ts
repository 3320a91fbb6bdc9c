// Doctor's findings as lines: one per check, the fix under every failure (and warning that has one).
import type { CheckResult, CheckStatus } from './result.js';

const LABEL: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };
const NAME_WIDTH = 16;

export function formatResult(r: CheckResult): string[] {
  const indent = ' '.repeat(6 + NAME_WIDTH + 1);
  // A multi-line message (a command's stderr) continues under the first line.
  const [first, ...more] = r.summary.split('\n').filter((l) => l.trim());
  const lines = [`${LABEL[r.status].padEnd(6)}${r.name.padEnd(NAME_WIDTH)} ${first ?? ''}`];
  for (const d of [...more, ...(r.details ?? [])]) lines.push(`${indent}${d}`);
  if (r.fix) lines.push(`${indent}fix: ${r.fix}`);
  return lines;
}

export function summaryLine(results: CheckResult[]): string {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const failed = count('fail');
  const warned = count('warn');
  if (failed) return `${failed} of ${results.length} checks failed${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}: the fix is under each`;
  return `all ${results.length} checks passed${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`;
}
