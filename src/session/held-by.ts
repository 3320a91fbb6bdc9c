// A job of the user's own may be what a new one waits for: `ssh slurm-gpu`,
// then `remote gpuswap --fresh` asks for a second GPU while the first job
// holds the only one. The progress line then says which of one's jobs are in
// the way and how to free them. A hint from what squeue shows, not a
// certainty: Slurm does not say whose resources a job waits for.
import type { HeldBy, Log, LogEvent } from '../log.js';
import { JOB_NAME_PREFIX } from '../paths.js';
import { listJobResources, type JobResources } from '../slurm/index.js';
import type { SessionContext } from './context.js';

/** Asking squeue about all of the user's jobs costs more than the wait loop's poll of one: now and then is enough. */
const REFRESH_MS = 15_000;
/** States in which a job holds its allocation. */
const HOLDING = new Set(['RUNNING', 'CONFIGURING']);

/**
 * Own jobs that may hold what `pending` needs. Waiting for Resources: running
 * jobs in one of its partitions that ask for one of the generic resources it
 * asks for (any, when it asks for none). Waiting on a per-user limit of the
 * QOS (QOSMaxGRESPerUser, QOSMaxJobsPerUserLimit, ...): every running job
 * counts against it (those with the same GRES, for a GRES limit).
 */
export function holdersOf(pending: JobResources, jobs: JobResources[]): HeldBy | undefined {
  if (!mayBeOwn(pending.reason)) return undefined;
  const running = jobs.filter((j) => j.id !== pending.id && HOLDING.has(j.state));
  const sameGres = (j: JobResources) => !pending.gres.length || j.gres.some((g) => pending.gres.includes(g));
  const why: HeldBy['why'] = pending.reason === 'Resources' ? 'resources' : 'limit';
  const holders =
    why === 'resources'
      ? running.filter((j) => j.partitions.some((p) => pending.partitions.includes(p)) && sameGres(j))
      : running.filter((j) => !/GRES/.test(pending.reason) || sameGres(j));
  if (!holders.length) return undefined;
  const named = (j: JobResources) => {
    const ours = j.name.startsWith(JOB_NAME_PREFIX);
    return { jobId: j.id, name: ours ? j.name.slice(JOB_NAME_PREFIX.length) : j.name, nodes: j.nodes, cancel: ours ? `remote cancel ${j.id}` : `scancel ${j.id}` };
  };
  return { why, jobs: holders.sort((a, b) => Number(a.id) - Number(b.id)).map(named) };
}

/** The pending reasons one's own jobs can be behind. */
function mayBeOwn(reason: string): boolean {
  return reason === 'Resources' || /^QOSMax\w*PerUser/.test(reason);
}

/**
 * A log that adds the hint to the progress lines of a pending job: it asks
 * squeue in the background (never delaying the wait), so the hint shows from
 * the line after the answer.
 */
export function withHeldBy(ctx: SessionContext, log: Log = ctx.log): Log {
  let heldBy: HeldBy | undefined;
  let askedAt = -Infinity;
  let askedFor = '';
  let asking = false;
  const ask = (jobId: string, reason: string) => {
    asking = true;
    askedAt = ctx.now();
    askedFor = `${jobId}|${reason}`;
    listJobResources(ctx.run, ctx.user)
      .then((jobs) => {
        const pending = jobs.find((j) => j.id === jobId);
        heldBy = pending ? holdersOf(pending, jobs) : undefined;
      })
      .catch(() => {
        // only a hint: the wait's own squeue reports trouble with Slurm
      })
      .finally(() => {
        asking = false;
      });
  };
  return (event: LogEvent) => {
    if (event.type !== 'waiting') return log(event);
    const reason = event.reason ?? '';
    if (event.state !== 'PENDING' || !mayBeOwn(reason)) {
      heldBy = undefined;
      return log(event);
    }
    if (!asking && (askedFor !== `${event.jobId}|${reason}` || ctx.now() - askedAt >= REFRESH_MS)) ask(event.jobId, reason);
    log(heldBy ? { ...event, heldBy } : event);
  };
}
