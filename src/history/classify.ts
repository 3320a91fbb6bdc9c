// One job's records (and, if Slurm answered, its queue entry) in words: what
// became of the session. Only the job's latest run counts (a requeued job
// starts again).
import { describeMemoryKills, type StatusEvent } from '../state/index.js';
import { ALIVE_STATES, type JobInfo } from '../slurm/index.js';
import type { JobRecords } from './records.js';
import { isFailure, reasonWords } from './reasons.js';

export type SessionState = 'running' | 'starting' | 'pending' | 'ended' | 'failed' | 'never-started' | 'unknown';

export interface HistoryEntry {
  jobId: string;
  profile: string | null;
  node: string | null;
  submittedAt: string | null;
  startedAt: string | null;
  readyAt: string | null;
  endedAt: string | null;
  /** From start to end, or to now for a live job. */
  durationSeconds: number | null;
  state: SessionState;
  /** The end reason exactly as the job recorded it (a newer version may record new ones). */
  reason: string | null;
  detail: string | null;
  /** Why it ended (or what it is doing), in words; memory kills during the run come first. */
  why: string;
  /** How many processes the kernel killed for the job's memory limit (0: none). */
  memoryKills: number;
  /** Slurm's state when it was asked and still knows the job. */
  slurmState: string | null;
  /** The job's own output file, if Slurm created it. */
  output: string | null;
  /** renew: the job this one followed (it submitted this one), and the job submitted to follow this one. */
  renews: string | null;
  renewedBy: string | null;
  /** renew: why no successor was submitted when one was due, or why the successor was cancelled. */
  renewal: string | null;
}

/** Slurm's answer for jobs with no recorded end: undefined when it was not asked or did not answer. */
export type QueueView = Map<string, JobInfo> | undefined;

type Of<E extends StatusEvent['event']> = Extract<StatusEvent, { event: E }>;

export function classify(rec: JobRecords, now: number, queue: QueueView): HistoryEntry {
  const lastStart = rec.events.map((e) => e.event).lastIndexOf('started');
  const run = lastStart < 0 ? rec.events : rec.events.slice(lastStart);
  const find = <E extends StatusEvent['event']>(event: E) => run.findLast((e): e is Of<E> => e.event === event);
  const submitted = rec.events.find((e): e is Of<'submitted'> => e.event === 'submitted');
  const started = find('started');
  const ready = find('ready');
  const ended = find('ended');
  const verdict = ended
    ? endedVerdict(String(ended.reason), ended.detail, ready !== undefined)
    : liveVerdict(rec, started !== undefined, ready !== undefined, queue);
  const chain = chainOf(run, submitted);
  const live = verdict.state === 'running' || verdict.state === 'starting';
  const until = ended ? Date.parse(ended.at) : live ? now : NaN;
  const from = started ? Date.parse(started.at) : NaN;
  return {
    jobId: rec.jobId,
    profile: rec.events.find((e) => e.profile)?.profile ?? rec.contact?.profile ?? null,
    node: ready?.node ?? started?.node ?? rec.contact?.node ?? null,
    submittedAt: submitted?.at ?? null,
    startedAt: started?.at ?? null,
    readyAt: ready?.at ?? null,
    endedAt: ended?.at ?? null,
    durationSeconds: Number.isFinite(until - from) ? Math.max(0, Math.round((until - from) / 1000)) : null,
    state: verdict.state,
    reason: ended ? String(ended.reason) : null,
    detail: ended?.detail ?? null,
    why: [describeMemoryKills(run), `${chain.renews ? `renewal of ${chain.renews}: ` : ''}${verdict.why}`, chain.words].filter(Boolean).join('; '),
    memoryKills: run.reduce((n, e) => n + (e.event === 'memory-killed' ? e.kills : 0), 0),
    slurmState: queue?.get(rec.jobId)?.state ?? null,
    output: rec.output ?? null,
    renews: chain.renews,
    renewedBy: chain.renewedBy,
    renewal: chain.renewal,
  };
}

/** What renew made of the job: the job it followed, its successor, or why none came (or stayed). */
function chainOf(run: StatusEvent[], submitted: Of<'submitted'> | undefined) {
  const renewed = run.findLast((e): e is Of<'renewed'> => e.event === 'renewed');
  const notRenewed = run.findLast((e): e is Of<'not-renewed'> => e.event === 'not-renewed');
  const chainEnded = run.findLast((e): e is Of<'chain-ended'> => e.event === 'chain-ended');
  const renewedBy = renewed?.successor ?? null;
  const renewal = chainEnded ? `its successor, job ${chainEnded.successor}, was cancelled with it` : notRenewed ? `not renewed: ${notRenewed.why}` : null;
  const words = renewal ?? (renewedBy ? `renewed by job ${renewedBy}` : null);
  return { renews: submitted?.renews ?? null, renewedBy, renewal, words };
}

function endedVerdict(reason: string, detail: string | undefined, wasReady: boolean): { state: SessionState; why: string } {
  const words = reasonWords(reason, detail);
  if (wasReady) return { state: isFailure(reason, true) ? 'failed' : 'ended', why: words };
  return { state: isFailure(reason, false) ? 'failed' : 'ended', why: reason === 'sshd-failed' ? words : `${words}, before the session was ready` };
}

/** No end recorded: the job is live, or it died without a word (SIGKILL, node failure), or it never ran. */
function liveVerdict(rec: JobRecords, started: boolean, ready: boolean, queue: QueueView): { state: SessionState; why: string } {
  const output = rec.output ? ` (see ${rec.output})` : '';
  if (queue) {
    const job = queue.get(rec.jobId);
    if (job?.state === 'PENDING') return { state: 'pending', why: job.reason && job.reason !== 'None' ? `pending (${job.reason})` : 'pending' };
    if (job && ALIVE_STATES.has(job.state)) {
      if (ready) return { state: 'running', why: job.state === 'RUNNING' ? 'running' : `running (${job.state})` };
      return { state: 'starting', why: started ? 'starting (sshd not ready yet)' : 'starting (env_setup)' };
    }
    if (job?.state === 'COMPLETING') return { state: 'unknown', why: 'ending (Slurm says COMPLETING), no end recorded yet' };
    // Gone from the queue, or in a final state (some Slurm versions show those for a while).
    const says = job ? ` (Slurm says ${job.state})` : '';
    if (started) return { state: 'failed', why: `ended without a record${says || ' (killed, or its node failed?)'}${output}` };
    if (rec.output) return { state: 'failed', why: `failed before starting${says}${output}` };
    if (job?.state === 'CANCELLED') return { state: 'never-started', why: 'never started (cancelled while pending)' };
    return { state: 'never-started', why: `never started${says || ' (cancelled while pending?)'}` };
  }
  // Records alone: the contact file is written once sshd is ready and removed when the job ends.
  if (rec.contact) return { state: 'running', why: 'running' };
  if (ready) return { state: 'failed', why: `ended without a record (killed, or its node failed?)${output}` };
  if (started) return { state: 'unknown', why: 'started, no end recorded (still starting, or killed?)' };
  if (rec.output) return { state: 'unknown', why: `no start recorded: failed before starting, or still in env_setup?${output}` };
  if (rec.events.length === 0) return { state: 'unknown', why: 'no records' };
  return { state: 'never-started', why: 'never started (still pending, or cancelled while pending?)' };
}
