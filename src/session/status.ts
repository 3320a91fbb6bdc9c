// The job status file: an append-only log of events (one JSON object per line),
// written by both the login node (submitted) and the job (started, ready,
// ended). O_APPEND keeps concurrent small writes whole; the last event wins.
import fs from 'node:fs';
import { readFileOrUndefined } from '../fsutil.js';
import { statusFile } from '../paths.js';

export type EndReason = 'cancelled' | 'time-limit' | 'sshd-failed' | 'sshd-exited' | 'start-failed' | 'idle' | 'signal';

export type StatusEvent =
  | { event: 'submitted'; at: string; jobId: string; profile: string }
  | { event: 'started'; at: string; jobId: string; profile: string; node: string }
  | { event: 'ready'; at: string; jobId: string; profile: string; node: string; port: number }
  | { event: 'ended'; at: string; jobId: string; profile: string; reason: EndReason; detail?: string };

type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export function appendStatus(state: string, event: Without<StatusEvent, 'at'>): void {
  const line = `${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`;
  fs.appendFileSync(statusFile(state, event.jobId), line, { mode: 0o600 });
}

export function readStatus(state: string, jobId: string): StatusEvent[] {
  const text = readFileOrUndefined(statusFile(state, jobId)) ?? '';
  const events: StatusEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as StatusEvent);
    } catch {
      // a torn line from a crash: skip it
    }
  }
  return events;
}

export function endedEvent(state: string, jobId: string): Extract<StatusEvent, { event: 'ended' }> | undefined {
  return readStatus(state, jobId).find((e): e is Extract<StatusEvent, { event: 'ended' }> => e.event === 'ended');
}

export function describeEnd(reason: EndReason, detail?: string): string {
  const text: Record<EndReason, string> = {
    cancelled: 'the job was cancelled',
    'time-limit': 'the job reached its time limit',
    'sshd-failed': 'sshd could not start in the job',
    'sshd-exited': 'the job\'s sshd exited',
    'start-failed': 'the job failed while starting',
    idle: 'the job ended itself after being idle',
    signal: 'the job was stopped by a signal',
  };
  return detail ? `${text[reason]} (${detail})` : text[reason];
}
