// What one doctor check found: ok, warn (works, but worth knowing) or fail
// (something will not work), and for every failure the fix.
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  summary: string;
  /** What to do about it; every failure has one. */
  fix?: string;
  /** More lines shown under the summary. */
  details?: string[];
}

export const ok = (name: string, summary: string, details?: string[]): CheckResult => ({ name, status: 'ok', summary, ...(details ? { details } : {}) });
export const warn = (name: string, summary: string, fix?: string, details?: string[]): CheckResult => ({
  name,
  status: 'warn',
  summary,
  ...(fix ? { fix } : {}),
  ...(details ? { details } : {}),
});
export const fail = (name: string, summary: string, fix: string, details?: string[]): CheckResult => ({ name, status: 'fail', summary, fix, ...(details ? { details } : {}) });

/** The worst of several findings about the same thing, with all their words. */
export function worst(name: string, findings: CheckResult[], okSummary: string): CheckResult {
  const failures = findings.filter((f) => f.status === 'fail');
  const warnings = findings.filter((f) => f.status === 'warn');
  const shown = failures.length ? failures : warnings;
  if (!shown.length) return ok(name, okSummary);
  const fixes = [...failures, ...warnings].map((f) => f.fix).filter((f): f is string => Boolean(f));
  const result: CheckResult = { name, status: failures.length ? 'fail' : 'warn', summary: shown.map((f) => f.summary).join('; ') };
  if (fixes.length) result.fix = [...new Set(fixes)].join('; ');
  const details = [...(failures.length ? warnings.map((w) => `also: ${w.summary}`) : [])];
  if (details.length) result.details = details;
  return result;
}
