// The sessions the state directory remembers, newest first. The records
// decide; Slurm is asked once, and only about the shown jobs with no recorded
// end (is it pending, running, or gone?). When it does not answer, the
// records alone answer.
import { classify, type HistoryEntry, type QueueView } from './classify.js';
import type { HistoryDeps } from './deps.js';
import { archivedRecords, listJobIds, readJobRecords, type JobRecords } from './records.js';

export interface History {
  sessions: HistoryEntry[];
  /** Jobs in the state directory, before --limit. */
  total: number;
  slurm: { asked: boolean; error: string | null };
}

/** Beyond this many undecided jobs the oldest go by their records alone: one squeue call stays one short command line. */
const MAX_QUEUE_IDS = 500;

export async function collectHistory(deps: HistoryDeps, options: { limit: number }): Promise<History> {
  const ids = listJobIds(deps.stateDir);
  const records = [...ids.map((id) => readJobRecords(deps.stateDir, id)), ...archivedRecords(deps.stateDir, new Set(ids))];
  records.sort((a, b) => beganAt(b) - beganAt(a) || Number(b.jobId) - Number(a.jobId));
  const shown = options.limit > 0 ? records.slice(0, options.limit) : records;
  const now = deps.now();
  const fromRecords = shown.map((r) => classify(r, now, undefined));
  const undecided = fromRecords.filter((e) => e.endedAt === null).map((e) => e.jobId).slice(0, MAX_QUEUE_IDS);
  let queue: QueueView;
  let error: string | null = null;
  if (undecided.length) {
    try {
      queue = new Map((await deps.queue(undecided)).map((job) => [job.id, job]));
    } catch (err) {
      error = (err as Error).message.split('\n')[0]!;
      deps.log({ type: 'warn', message: `Slurm did not answer (${error}): jobs with no recorded end are described from their records alone` });
    }
  }
  const asked = new Set(undecided);
  const sessions = queue ? shown.map((r, i) => (asked.has(r.jobId) ? classify(r, now, queue) : fromRecords[i]!)) : fromRecords;
  return { sessions, total: records.length, slurm: { asked: undecided.length > 0, error } };
}

/** When the session began: its submission, else its first event, else its directory's time. */
function beganAt(rec: JobRecords): number {
  const at = rec.events.map((e) => Date.parse(e.at)).find((t) => Number.isFinite(t));
  return at ?? rec.dirTime;
}
