import os from 'node:os';
import { SlurmhopError, usageError } from '../../errors.js';
import { chainLinks, forgetEndedContacts, listSessionJobs, withTheirChains, type ChainLinks, type SessionJob } from '../../session/index.js';
import { stateDir } from '../../paths.js';
import { cancelJobs, execaRunner } from '../../slurm/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: 'cancel your slurmhop jobs: one job, a profile\'s jobs, or all (a renewed session\'s whole chain)',
  usage: 'remote cancel [<profile>|<jobid>|--all]',
  options: { all: { type: 'boolean' } },
  async run({ positionals, values }) {
    if (positionals.length > 1 || (values.all && positionals.length)) {
      throw usageError('remote cancel takes one profile or job id, or --all');
    }
    const state = stateDir();
    const jobs = await listSessionJobs(execaRunner, os.userInfo().username);
    forgetEndedContacts(state, jobs);
    const links = chainLinks(state, jobs);
    const chosen = choose(jobs, positionals[0], values.all === true, links);
    if (chosen.length === 0) {
      print(positionals[0] ? `no slurmhop job for profile ${positionals[0]}` : 'no slurmhop jobs to cancel');
      return;
    }
    await cancelJobs(execaRunner, chosen.map((j) => j.id));
    for (const j of chosen) {
      const l = links.get(j.id);
      const chain = l?.renews && chosen.some((c) => c.id === l.renews) ? `, the successor of ${l.renews}` : '';
      print(`cancelled job ${j.id} (${j.profile}, ${j.state.toLowerCase()}${chain})`);
    }
  },
});

/**
 * Only this user's slurmhop jobs can ever be chosen. A job of a renewed
 * session's chain brings the rest of the chain: cancelling one link, the
 * other would start (or go on) by itself.
 */
export function choose(jobs: SessionJob[], target: string | undefined, all: boolean, links: Map<string, ChainLinks> = new Map()): SessionJob[] {
  if (all) return jobs;
  if (target === undefined) {
    // One session, however many links its chain has now.
    if (jobs.length <= 1 || withTheirChains(jobs.slice(0, 1), jobs, links).length === jobs.length) return jobs;
    const names = jobs.map((j) => `${j.id} (${j.profile})`).join(', ');
    throw usageError(`you have ${jobs.length} slurmhop jobs: ${names}`, 'name a profile or job id, or use --all');
  }
  if (/^\d+$/.test(target)) {
    const job = jobs.find((j) => j.id === target);
    if (!job) throw new SlurmhopError('usage', `job ${target} is not one of your slurmhop jobs`, 'see "remote list"');
    return withTheirChains([job], jobs, links);
  }
  return withTheirChains(jobs.filter((j) => j.profile === target), jobs, links);
}
