// renew and renew_max: how long before its time limit the job of an active
// session submits its successor, and the longest such a chain may run.
import { configError, type IniEntry } from './ini-lines.js';

type At = { file: string; line: number };
const DURATION = /^(\d+)\s*([smh]?)$/i;
const seconds = (m: RegExpExecArray) => Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h'];

/** `renew`: a duration of at least a minute, or 0 (off). */
export function readRenew(value: string, at: At): number {
  const m = DURATION.exec(value);
  if (!m) throw configError(at.file, at.line, `renew must be a duration (e.g. 10m, 1h), or 0 (off), not "${value}"`);
  const s = seconds(m);
  if (s > 0 && s < 60) throw configError(at.file, at.line, `renew must be at least 1m (Slurm's time limits are whole minutes), or 0 (off)`);
  return s;
}

/** `renew_max`: a duration of at least a minute. */
export function readRenewMax(value: string, at: At): number {
  const m = DURATION.exec(value);
  if (!m) throw configError(at.file, at.line, `renew_max must be a duration (e.g. 24h), not "${value}"`);
  if (seconds(m) < 60) throw configError(at.file, at.line, 'renew_max must be at least 1m');
  return seconds(m);
}

/** Seconds in a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]); undefined for unlimited. */
export function slurmTimeSeconds(time: string): number | undefined {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(time.trim());
  if (!m) return undefined;
  const [d, a, b, c] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? undefined : Number(x)));
  if (d !== undefined) return ((d * 24 + a!) * 60 + (b ?? 0)) * 60 + (c ?? 0);
  if (c !== undefined) return (a! * 60 + b!) * 60 + c;
  return a! * 60 + (b ?? 0);
}

/** A renewal must leave time to renew in, and the cap room for one successor at least. */
export function checkRenew(settings: { time?: string | undefined; renew: number; renewMax: number }, entries: IniEntry[], file: string): void {
  const limit = settings.time === undefined ? undefined : slurmTimeSeconds(settings.time);
  if (!settings.renew || limit === undefined) return;
  const lineOf = (key: string) => entries.findLast((e) => e.key === key)?.line ?? 0;
  if (settings.renew >= limit) {
    throw configError(file, lineOf('renew'), `renew (${settings.renew}s) must be shorter than time = ${settings.time}: the successor is submitted that long before the time limit`);
  }
  if (settings.renewMax < 2 * limit) {
    const line = entries.some((e) => e.key === 'renew_max') ? lineOf('renew_max') : lineOf('renew');
    throw configError(file, line, `renew_max (${settings.renewMax}s) leaves no room for a successor: two jobs of time = ${settings.time} take ${2 * limit}s`, 'raise renew_max, or lower time');
  }
}
