// History as a table for people (local times) or JSON for programs (ISO times, raw reasons).
import { formatSeconds } from '../log.js';
import type { History } from './collect.js';
import type { HistoryEntry } from './classify.js';

const HEADER = ['JOBID', 'PROFILE', 'NODE', 'SUBMITTED', 'STARTED', 'ENDED', 'DURATION', 'OUTCOME'];

export function historyRows(history: History): string[][] {
  return [HEADER, ...history.sessions.map(row)];
}

function row(e: HistoryEntry): string[] {
  const day = e.submittedAt ?? e.startedAt;
  return [
    e.jobId,
    e.profile ?? '-',
    e.node ?? '-',
    e.submittedAt ? localTime(e.submittedAt) : '-',
    e.startedAt ? localTime(e.startedAt, day) : '-',
    e.endedAt ? localTime(e.endedAt, day) : '-',
    e.durationSeconds === null ? '-' : formatSeconds(e.durationSeconds),
    e.why,
  ];
}

/** "2025-11-21 07:14:03"; only the time when it is the same day as `sameDayAs`. */
export function localTime(iso: string, sameDayAs?: string | null): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  if (sameDayAs && sameDayAs !== iso && localTime(sameDayAs).startsWith(date)) return time;
  return `${date} ${time}`;
}

/** The line under the table when --limit hid older sessions. */
export function limitNote(history: History): string | undefined {
  const hidden = history.total - history.sessions.length;
  return hidden > 0 ? `(the newest ${history.sessions.length} of ${history.total}; --limit 0 shows all)` : undefined;
}

export function historyJson(history: History): string {
  return JSON.stringify(history, null, 2);
}
