// renew: what the session's terminals and the job's log are told.
import { clock } from './renew-plan.js';

export interface SuccessorView {
  state: string | undefined;
  reason: string | undefined;
  /** Slurm's estimated start, when it has one. */
  startTime: string | undefined;
}

/** Told when the successor is queued. */
export function renewedText(jobId: string, profile: string, successor: string, endTime: number, view: SuccessorView, now: number): string {
  const state = view.state ? `${view.state}${view.reason && view.reason !== 'None' ? `, ${view.reason}` : ''}` : 'state not known yet';
  const estimate = view.startTime ? `est. start ${view.startTime.replace('T', ' ')}` : `to start when this job ends, at ${clock(endTime, now)}`;
  return (
    `\r\n*** slurmhop: job ${jobId} (${profile}) reaches its time limit at ${clock(endTime, now)}. Its successor, job ${successor}, is queued (${state}; ${estimate}). ***\r\n` +
    `*** Your next connect (ssh, or VS Code's reconnect) lands in job ${successor}. What runs in this job ends at ${clock(endTime, now)}: save your work. ***\r\n`
  );
}

/** Told when a successor was due but none comes. */
export function notRenewedText(jobId: string, profile: string, why: string, endTime: number, now: number): string {
  return (
    `\r\n*** slurmhop: job ${jobId} (${profile}) was not renewed: ${why}. ***\r\n` +
    `*** It ends at its time limit, at ${clock(endTime, now)}: save your work. A connect after that waits for a new job. ***\r\n`
  );
}

/** Told when another job of the profile is already there. */
export function alreadyQueuedText(jobId: string, profile: string, other: string, state: string, endTime: number, now: number): string {
  return (
    `\r\n*** slurmhop: job ${jobId} (${profile}) reaches its time limit at ${clock(endTime, now)}; your job ${other} of the same profile is ${state.toLowerCase()} already, ***\r\n` +
    `*** so no successor was submitted: your next connect lands in job ${other}. ***\r\n`
  );
}

/** What sites' refusals mean, for the user (sbatch's own words come first). */
const HINTS: Array<[RegExp, string]> = [
  [/MaxSubmit|job submit limit/i, 'your limit on queued jobs (MaxSubmitJobs) leaves no room for a second one while this one runs'],
  [/MaxJobs|jobs? per user/i, 'your limit on jobs (MaxJobsPerUser) leaves no room for a second one'],
  [/QOS|qos/, 'the QOS refuses it'],
  [/inactive or drain|partition not available/i, 'the partition takes no new jobs now (maintenance?)'],
  [/permission denied|AllocNodes/i, 'the site may not take submissions from compute nodes'],
  [/time limit/i, "the partition's time limit refuses it"],
];

/** sbatch's refusal in words: its message without the "sbatch: error:" prefixes, and what it means where known. */
export function refusalWords(message: string): string {
  const said = message
    .split('\n')
    .map((l) => l.replace(/^(sbatch failed: )?(sbatch: error: )*/, '').trim())
    .filter(Boolean)
    .join('; ');
  const hint = HINTS.find(([pattern]) => pattern.test(said))?.[1];
  return `Slurm refused the successor: ${said}${hint ? ` (${hint})` : ''}`;
}
