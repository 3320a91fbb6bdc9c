import os from 'node:os';
import { SlurmhopError, usageError } from '../../errors.js';
import { forgetEndedContacts, listSessionJobs, type SessionJob } from '../../session/index.js';
import { stateDir } from '../../paths.js';
import { cancelJobs, execaRunner } from '../../slurm/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: 'cancel your slurmhop jobs: one job, a profile\'s jobs, or all',
  usage: 'remote cancel [<profile>|<jobid>|--all]',
  options: { all: { type: 'boolean' } },
  async run({ positionals, values }) {
    if (positionals.length > 1 || (values.all && positionals.length)) {
      throw usageError('remote cancel takes one profile or job id, or --all');
    }
    const jobs = await listSessionJobs(execaRunner, os.userInfo().username);
    forgetEndedContacts(stateDir(), jobs);
    const chosen = choose(jobs, positionals[0], values.all === true);
    if (chosen.length === 0) {
      print(positionals[0] ? `no slurmhop job for profile ${positionals[0]}` : 'no slurmhop jobs to cancel');
      return;
    }
    await cancelJobs(execaRunner, chosen.map((j) => j.id));
    for (const j of chosen) print(`cancelled job ${j.id} (${j.profile}, ${j.state.toLowerCase()})`);
  },
});

/** Only this user's slurmhop jobs can ever be chosen. */
export function choose(jobs: SessionJob[], target: string | undefined, all: boolean): SessionJob[] {
  if (all) return jobs;
  if (target === undefined) {
    if (jobs.length <= 1) return jobs;
    const names = jobs.map((j) => `${j.id} (${j.profile})`).join(', ');
    throw usageError(`you have ${jobs.length} slurmhop jobs: ${names}`, 'name a profile or job id, or use --all');
  }
  if (/^\d+$/.test(target)) {
    const job = jobs.find((j) => j.id === target);
    if (!job) throw new SlurmhopError('usage', `job ${target} is not one of your slurmhop jobs`, 'see "remote list"');
    return [job];
  }
  return jobs.filter((j) => j.profile === target);
}
