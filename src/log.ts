// Every message of the program is a typed event passed to one function, which
// writes it to stderr (or a log file). Nothing here ever touches stdout.
import fs from 'node:fs';

export type LogEvent =
  | { type: 'submitted'; jobId: string; profile: string }
  | { type: 'reused'; jobId: string; profile: string; state: string }
  | {
      type: 'waiting';
      jobId: string;
      state: string;
      reason?: string | undefined;
      estimatedStart?: string | undefined;
      elapsedSeconds: number;
      /** The user's own jobs that may hold what a pending job waits for (a hint: session/held-by.ts). */
      heldBy?: HeldBy | undefined;
    }
  | { type: 'ready'; jobId: string; node: string; port: number; elapsedSeconds: number }
  | { type: 'cancelled'; jobId: string; why: string }
  | { type: 'session-ended'; jobId: string; why: string }
  | { type: 'job-started'; jobId: string; profile: string; node: string }
  | { type: 'sshd-ready'; jobId: string; node: string; port: number }
  | { type: 'env-skipped'; names: string[] }
  | { type: 'job-ending'; jobId: string; reason: string }
  | { type: 'walltime-warning'; jobId: string; terminals: string[] }
  | { type: 'info'; message: string }
  /** A job's slow start-up step; the waiting proxy shows it (session/job-progress.ts). */
  | { type: 'preparing'; message: string }
  | { type: 'warn'; message: string };

/** Own jobs in the way of a pending one: they hold the resources it needs, or count against a per-user limit. */
export interface HeldBy {
  why: 'resources' | 'limit';
  jobs: Array<{ jobId: string; name: string; nodes: string; cancel: string }>;
}

export type Log = (event: LogEvent) => void;

interface Sink {
  write(text: string): void;
  isTTY: boolean;
}

/** Starts every line the program writes to stderr or a log file. */
export const PREFIX = 'slurmhop: ';

export function formatEvent(event: LogEvent): string {
  switch (event.type) {
    case 'submitted':
      return `submitted job ${event.jobId} for profile ${event.profile}`;
    case 'reused':
      return `reusing your ${event.state.toLowerCase()} job ${event.jobId} for profile ${event.profile}`;
    case 'waiting': {
      const parts = [`job ${event.jobId} ${event.state}`];
      if (event.reason && event.reason !== 'None') parts.push(`(${event.reason})`);
      if (event.estimatedStart) parts.push(`est. start ${event.estimatedStart}`);
      parts.push(`waited ${formatSeconds(event.elapsedSeconds)}`);
      const line = parts.join(', ').replace(', (', ' (');
      return event.heldBy?.jobs.length ? `${line}: ${describeHeldBy(event.heldBy)}` : line;
    }
    case 'ready':
      return `job ${event.jobId} ready on ${event.node}:${event.port} after ${formatSeconds(event.elapsedSeconds)}`;
    case 'cancelled':
      return `cancelled job ${event.jobId}: ${event.why}`;
    case 'session-ended':
      return `connection to job ${event.jobId} closed: ${event.why}`;
    case 'job-started':
      return `job ${event.jobId} (${event.profile}) started on ${event.node}`;
    case 'sshd-ready':
      return `sshd ready on ${event.node}:${event.port}`;
    case 'env-skipped':
      return `not passed to sessions (a value with # " \\ or a control character): ${event.names.join(', ')}`;
    case 'walltime-warning':
      return `job ${event.jobId}: time limit warning shown on ${event.terminals.length ? event.terminals.join(', ') : 'no terminal (none open)'}`;
    case 'job-ending':
      return `job ${event.jobId} ending: ${event.reason}`;
    case 'info':
      return event.message;
    case 'preparing':
      return `preparing: ${event.message}`;
    case 'warn':
      return `warning: ${event.message}`;
  }
}

/** "your job 2 (gpu, on c2) may hold what it waits for; "remote cancel 2" frees it" */
function describeHeldBy(held: HeldBy): string {
  const shown = held.jobs.slice(0, 3);
  const more = held.jobs.length - shown.length;
  const one = (j: HeldBy['jobs'][number]) => `${j.jobId} (${j.name}${j.nodes ? `, on ${j.nodes}` : ''})`;
  const list = shown.map(one).join(', ') + (more ? ` and ${more} more` : '');
  const single = held.jobs.length === 1;
  const whose = `${single ? 'your job' : 'your jobs'} ${list}`;
  const what = held.why === 'resources' ? 'may hold what it waits for' : single ? 'counts against that limit of yours' : 'count against that limit of yours';
  const cancels = shown.map((j) => `"${j.cancel}"`).join(' or ');
  return `${whose} ${what}; ${cancels} ${single ? 'frees it' : 'frees room'}`;
}

export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const WAITING_REPEAT_S = 30;

/**
 * A terminal gets one self-updating progress line; a pipe or file gets one
 * line per change of state/reason/estimate, and one every 30 s of a wait
 * without change (not one per second).
 */
export function createLog(sink: Sink = stderrSink()): Log {
  let lastWaitingKey = '';
  let lastWaitingAt = -Infinity;
  let progressLineOpen = false;
  return (event) => {
    const line = PREFIX + formatEvent(event);
    if (event.type === 'waiting') {
      if (sink.isTTY) {
        sink.write(`\r\x1b[K${line}`);
        progressLineOpen = true;
        return;
      }
      const key = `${event.jobId}|${event.state}|${event.reason}|${event.estimatedStart}|${event.heldBy?.jobs.map((j) => j.jobId).join(',') ?? ''}`;
      // A long wait says it still waits, every half minute, where no line updates itself.
      if (key === lastWaitingKey && event.elapsedSeconds - lastWaitingAt < WAITING_REPEAT_S) return;
      lastWaitingKey = key;
      lastWaitingAt = event.elapsedSeconds;
    }
    if (progressLineOpen) {
      sink.write('\r\x1b[K');
      progressLineOpen = false;
    }
    sink.write(`${line}\n`);
  };
}

function stderrSink(): Sink {
  return { write: (text) => process.stderr.write(text), isTTY: Boolean(process.stderr.isTTY) };
}

/** For the in-job side: append to a file, with a timestamp per line. */
export function createFileLog(file: string): Log {
  return (event) => {
    fs.appendFileSync(file, `${new Date().toISOString()} ${formatEvent(event)}\n`);
  };
}
