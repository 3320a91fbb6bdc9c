// Many connects at once: one job per profile, every connect lands.
import { execa } from 'execa';
import fs from 'node:fs';
import { jobsOf, stateOf, type Laptop } from '../../test/e2e/harness.js';
import { marksOf, phasesOf, timedSsh } from '../lib/ssh-phases.js';
import { currentContact, floorArgs } from '../lib/chain.js';
import { median, type Figure } from '../lib/measure.js';

/** A connect's result, with the seconds from the common start until it ended (landed, ran, exited). */
async function landed<T extends object>(start: number, run: Promise<T>): Promise<T & { seconds: number }> {
  const r = await run;
  return Object.assign(r, { seconds: (Date.now() - start) / 1000 });
}

/** Medians of each phase over the connects that have it. */
function medianPhases(all: Array<Record<string, number>>): Record<string, number> {
  const names = [...new Set(all.flatMap((p) => Object.keys(p)))];
  return Object.fromEntries(names.map((n) => [n, median(all.filter((p) => p[n] !== undefined).map((p) => p[n]!))]));
}

/**
 * Connects from one user with no job yet, half on each of two profiles: one
 * job per profile, all land. Each connect is timed from the outside (ssh -v,
 * the proxy's lines: bench/lib/ssh-phases.ts) so the table says where the
 * time goes, beside as many nc chains into a running job.
 */
export async function simultaneousConnects(laptop: Laptop, perProfile: number): Promise<Figure> {
  const profiles = ['cpu', 'gpu'];
  const proxy = (p: string) => `ssh -F ${laptop.config} login .local/bin/remote proxy ${p}`;
  const start = Date.now();
  const runs = await Promise.all(profiles.flatMap((p) => Array.from({ length: perProfile }, () => timedSsh(['-F', laptop.config, '-o', 'ConnectTimeout=60', `slurm-${p}`, 'echo $SLURM_JOB_ID'], proxy(p), start))));
  const seconds = (Date.now() - start) / 1000;
  const times = runs.map((r) => r.end / 1000);
  const ok = runs.filter((r) => r.exitCode === 0).length;
  const jobs = await jobsOf(laptop.user);
  const perName = profiles.map((p) => jobs.filter((j) => j.name === `slurmhop-${p}`).length);
  const failures = runs.filter((r) => r.exitCode !== 0).map((r) => r.events.filter((e) => !e.line.startsWith('debug')).slice(-2).map((e) => e.line).join(' ')).slice(0, 3);
  // The floor: as many ssh chains at once through nc into the running cpu job
  // (what the cores can do for that many logins and handshakes, with no job to start).
  const contact = currentContact(laptop.user);
  const floorStart = Date.now();
  const floorRuns = await Promise.all(runs.map(() => timedSsh(['-F', laptop.config, 'slurm-cpu', 'echo $SLURM_JOB_ID'], `ssh -F ${laptop.config} login nc ${contact.node} ${contact.port}`, floorStart)));
  const floorTimes = floorRuns.map((r) => r.end / 1000);
  const oursPhases = runs.map((r) => phasesOf(marksOf(r)));
  const floorPhases = floorRuns.map((r) => phasesOf(marksOf(r)));
  const slowest = runs.reduce((a, b) => (b.end > a.end ? b : a));
  // The jobs' own start: sbatch to sshd ready (their status records).
  const jobStarts = jobs.map((j) => jobStartSeconds(laptop.user, j.id)).filter((x): x is number => x !== undefined);
  const o = medianPhases(oursPhases);
  const f = medianPhases(floorPhases);
  const phaseTable = [...new Set([...Object.keys(o), ...Object.keys(f)])].map((name) => ({ name, ours: o[name], floor: f[name] }));
  return {
    figure: `${runs.length} simultaneous connects from one user on two profiles, no job yet`,
    ours: `${ok}/${runs.length} succeeded in ${seconds.toFixed(1)} s (each: median ${median(times).toFixed(1)} s, slowest ${Math.max(...times).toFixed(1)} s)`,
    floor: `${floorRuns.filter((r) => r.exitCode === 0).length}/${runs.length} nc chains at once into the running job: median ${median(floorTimes).toFixed(1)} s, slowest ${Math.max(...floorTimes).toFixed(1)} s`,
    result: `jobs: ${profiles.map((p, i) => `${p} ${perName[i]}`).join(', ')}; the jobs' own start (sbatch to sshd ready): ${jobStarts.map((s) => `${s.toFixed(1)} s`).join(', ')}`,
    target: 'all succeed, exactly 1 job per profile, each within 10 s',
    met: ok === runs.length && perName.every((n) => n === 1) && Math.max(...times) <= 10,
    details: { failures, times, floorTimes, phaseTable, slowest: phasesOf(marksOf(slowest)), jobStarts },
  };
}

function jobStartSeconds(user: string, jobId: string): number | undefined {
  try {
    const dir = `${stateOf(user)}/jobs/${jobId}`;
    const record = JSON.parse(fs.readFileSync(`${dir}/submitted`, 'utf8')) as { at: string; sbatchAt?: string };
    const ready = fs.readFileSync(`${dir}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; at: string }).find((e) => e.event === 'ready');
    return ready ? (Date.parse(ready.at) - Date.parse(record.sbatchAt ?? record.at)) / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Many connects at once onto one running job: all land in it. */
export async function connectsOnOneJob(laptop: Laptop, connects: number): Promise<Figure> {
  await execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'true']);
  const [job] = await jobsOf(laptop.user);
  const start = Date.now();
  const runs = await Promise.all(Array.from({ length: connects }, () => landed(start, execa('ssh', ['-F', laptop.config, 'slurm-cpu', 'echo $SLURM_JOB_ID'], { reject: false }))));
  const seconds = (Date.now() - start) / 1000;
  const times = runs.map((r) => r.seconds);
  const inJob = runs.filter((r) => r.exitCode === 0 && String(r.stdout).trim() === job?.id).length;
  const jobs = (await jobsOf(laptop.user)).length;
  const failures = runs.filter((r) => r.exitCode !== 0).map((r) => String(r.stderr).split('\n').slice(-2).join(' ')).slice(0, 3);
  return {
    figure: `${connects} simultaneous connects onto one running job`,
    ours: `${inJob}/${connects} landed in job ${job?.id} in ${seconds.toFixed(1)} s (each: median ${median(times).toFixed(1)} s, slowest ${Math.max(...times).toFixed(1)} s)`,
    floor: '-',
    result: `jobs: ${jobs}`,
    target: 'all land in the job, no other job',
    met: inJob === connects && jobs === 1,
    details: { failures, times },
  };
}
