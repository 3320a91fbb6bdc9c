// A fake state directory written the way the login node and the job write it.
import fs from 'node:fs';
import path from 'node:path';

export interface FakeJob {
  profile?: string;
  submitted?: string;
  started?: { at: string; node: string };
  ready?: { at: string; node: string; port?: number };
  ended?: { at: string; reason: string; detail?: string };
  /** A live job's contact file. */
  contact?: { node: string; port: number };
  /** Slurm opened the job's output. */
  output?: boolean;
  /** Written as-is at the end of the status file (a torn line, say). */
  rawStatus?: string;
}

export function writeJob(state: string, jobId: string, job: FakeJob): void {
  const dir = path.join(state, 'jobs', jobId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const profile = job.profile ?? 'cpu';
  if (job.submitted) fs.writeFileSync(path.join(dir, 'submitted'), `${JSON.stringify({ event: 'submitted', at: job.submitted, jobId, profile })}\n`);
  const lines: object[] = [];
  if (job.started) lines.push({ event: 'started', jobId, profile, ...job.started });
  if (job.ready) lines.push({ event: 'ready', jobId, profile, port: 40000, ...job.ready });
  if (job.ended) lines.push({ event: 'ended', jobId, profile, ...job.ended });
  const status = lines.map((l) => `${JSON.stringify(l)}\n`).join('') + (job.rawStatus ?? '');
  if (status) fs.writeFileSync(path.join(dir, 'status'), status);
  if (job.contact) {
    const contact = { version: 1, jobId, profile, ...job.contact, user: 'hal', pid: 1, readyAt: job.ready?.at ?? '' };
    fs.writeFileSync(path.join(dir, 'contact'), `${JSON.stringify(contact)}\n`);
  }
  if (job.output) {
    fs.mkdirSync(path.join(state, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(state, 'logs', `${jobId}.out`), 'output\n');
  }
}

/** A session from submission to its end, `minutes` after a base time. */
export function endedSession(at: (s: number) => string, start: number, reason: string, node = 'c1', extra: Partial<FakeJob> = {}): FakeJob {
  return {
    submitted: at(start),
    started: { at: at(start + 5), node },
    ready: { at: at(start + 6), node },
    ended: { at: at(start + 65), reason },
    output: true,
    ...extra,
  };
}
