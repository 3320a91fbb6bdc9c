// renew: when the job of an active session submits its successor, and whether
// it may. Pure decisions, from the profile as config.ini says it now, the
// job's end, its chain and its activity; job/renew.ts carries them out.
import type { Profile } from '../config/index.js';
import { slurmTimeSeconds } from '../config/index.js';

/** A session counts as active when it was at one of the checks of this last stretch (a VS Code window reconnecting after a blip)... */
const ACTIVE_WITHIN_MS = 120_000;

/** ...or of the last half of `renew`, when that is shorter: what the job did right after its start does not count. */
export function activeWithinMs(renew: number): number {
  return Math.min(ACTIVE_WITHIN_MS, (renew * 1000) / 2);
}

export interface ChainInfo {
  /** The start of the chain's first job (epoch ms). */
  start: number;
  /** This job's place in the chain: 1 for the first. */
  link: number;
  /** The time limits of the chain's jobs before this one (seconds). */
  held: number;
}

export interface RenewInput {
  now: number;
  profile: Pick<Profile, 'renew' | 'renewMax' | 'time'>;
  /** This job's own time limit (seconds), when known: the successor's too, when the profile sets no time. */
  ownLimit: number | undefined;
  chain: ChainInfo;
  activeNow: boolean;
  /** The last check that found the session active (epoch ms). */
  lastActive: number | undefined;
}

export type RenewDecision =
  | { kind: 'submit'; successorLimit: number }
  /** No successor: why, in words; `tell`: the session's terminals are told (an idle session has none worth telling). */
  | { kind: 'skip'; reason: 'idle' | 'cap' | 'unknown-limit'; why: string; tell: boolean };

/** When the renewal is due: `renew` before the end. */
export function renewDue(endTime: number, renew: number): number {
  return endTime - renew * 1000;
}

export function decideRenewal(input: RenewInput): RenewDecision {
  const { now, profile, chain } = input;
  const active = input.activeNow || (input.lastActive !== undefined && now - input.lastActive <= activeWithinMs(profile.renew));
  if (!active) {
    return { kind: 'skip', reason: 'idle', why: 'no session was active (no SSH session open, as idle_timeout counts them)', tell: false };
  }
  const successorLimit = (profile.time === undefined ? undefined : slurmTimeSeconds(profile.time)) ?? input.ownLimit;
  if (successorLimit === undefined || input.ownLimit === undefined) {
    return { kind: 'skip', reason: 'unknown-limit', why: "Slurm did not say the job's time limit, so renew_max cannot be checked", tell: true };
  }
  // The cap counts time limits, not the clock: the minutes the scheduler takes between two jobs do not use it up.
  const held = chain.held + input.ownLimit;
  if (held + successorLimit > profile.renewMax) {
    const why =
      `renew_max = ${formatDuration(profile.renewMax)} is reached: the ${chain.link === 1 ? 'job holds' : `chain's ${chain.link} jobs hold`} ${formatDuration(held)} since ${clock(chain.start, now)}, ` +
      `and a successor would make it ${formatDuration(held + successorLimit)}`;
    return { kind: 'skip', reason: 'cap', why, tell: true };
  }
  return { kind: 'submit', successorLimit };
}

/** "24h", "90m", "1h30m", "45s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 3600 && s % 60 === 0) return `${Math.floor(s / 3600)}h${(s % 3600) / 60}m`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** "14:05", or "Tue 14:05" when not today. */
export function clock(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const hm = d.toTimeString().slice(0, 5);
  return d.toDateString() === new Date(now).toDateString() ? hm : `${d.toDateString().slice(0, 3)} ${hm}`;
}
