// Slurm answers: sinfo (partitions) and squeue (the user's jobs), each within a deadline.
import { SlurmhopError } from '../../errors.js';
import { JOB_NAME_PREFIX } from '../../paths.js';
import { checked, listJobs } from '../../slurm/index.js';
import type { DoctorDeps } from '../deps.js';
import { fail, ok, type CheckResult } from '../result.js';

const NAME = 'Slurm';

export async function checkSlurm(deps: DoctorDeps): Promise<{ result: CheckResult; reachable: boolean }> {
  let partitions: string[];
  let jobs: Awaited<ReturnType<typeof listJobs>>;
  try {
    const sinfo = checked('sinfo', await deps.run('sinfo', ['--noheader', '--format=%P|%a']));
    partitions = sinfo.split('\n').filter(Boolean).map((line) => {
      const [name, avail] = line.split('|');
      return avail && avail !== 'up' ? `${name} (${avail})` : name!;
    });
    jobs = await listJobs(deps.run, { user: deps.user });
  } catch (err) {
    if (!(err instanceof SlurmhopError)) throw err;
    return { result: fail(NAME, err.message, fixFor(err)), reachable: false };
  }
  const ours = jobs.filter((j) => j.name.startsWith(JOB_NAME_PREFIX)).length;
  const summary = `sinfo: partitions ${partitions.join(', ') || '(none)'}; squeue: ${jobs.length} job${jobs.length === 1 ? '' : 's'} of yours (${ours} slurmhop)`;
  return { result: ok(NAME, summary), reachable: true };
}

function fixFor(err: SlurmhopError): string {
  if (/not found on PATH/.test(err.message)) return err.hint ?? 'run "remote doctor" on a Slurm login node (or add Slurm to PATH, e.g. "module load slurm")';
  if (/configuration source|slurm\.conf/i.test(err.message)) return 'Slurm finds no configuration here: run "remote doctor" on the cluster\'s login node (or set SLURM_CONF)';
  return 'slurmctld does not answer: "scontrol ping" says whether it is up; if it is down or keeps timing out, ask your admins';
}
