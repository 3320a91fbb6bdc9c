import os from 'node:os';
import { chainLinks, forgetEndedContacts, listSessionJobs } from '../../session/index.js';
import { jobContact } from '../../state/index.js';
import { stateDir } from '../../paths.js';
import { execaRunner } from '../../slurm/index.js';
import { defineCommand } from '../../command.js';
import { formatTable, print } from '../../output.js';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'your slurmhop jobs: profile, state, node, time used / limit, reason, and the chains of renewed sessions',
  usage: 'remote list [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values }) {
    const state = stateDir();
    const listed = await listSessionJobs(execaRunner, os.userInfo().username);
    forgetEndedContacts(state, listed);
    const links = chainLinks(state, listed);
    const jobs = listed.map((job) => {
      const contact = job.state === 'RUNNING' ? jobContact(state, job.id) : undefined;
      return {
        id: job.id,
        profile: job.profile,
        state: job.state,
        node: job.nodes || null,
        partition: job.partition,
        timeUsed: job.timeUsed,
        timeLimit: job.timeLimit,
        timeLeft: job.timeLeft,
        startTime: job.startTime ?? null,
        reason: job.reason === 'None' ? null : job.reason,
        ready: contact !== undefined,
        port: contact?.port ?? null,
        // renew: the job this one follows, and the one queued to follow it.
        renews: links.get(job.id)?.renews ?? null,
        renewedBy: links.get(job.id)?.renewedBy ?? null,
      };
    });
    if (values.json) {
      print(JSON.stringify(jobs, null, 2));
      return;
    }
    if (jobs.length === 0) {
      print('no slurmhop jobs (connect with "ssh <prefix>-<profile>" or run "remote proxy <profile>")');
      return;
    }
    // The CHAIN column only when a session was renewed: the usual listing stays as it was.
    const chained = jobs.some((j) => j.renews || j.renewedBy);
    const chain = (j: (typeof jobs)[number]) => [j.renews ? `follows ${j.renews}` : '', j.renewedBy ? `${j.renewedBy} follows` : ''].filter(Boolean).join(', ') || '-';
    const rows = jobs.map((j) => [
      j.id,
      j.profile,
      j.state + (j.state === 'RUNNING' && !j.ready ? ' (starting)' : ''),
      j.node ?? '-',
      `${j.timeUsed} / ${j.timeLimit}`,
      j.state === 'PENDING' ? (j.startTime ? `est. start ${j.startTime}` : '-') : j.timeLeft,
      ...(chained ? [chain(j)] : []),
      j.reason ?? '',
    ]);
    const header = ['JOBID', 'PROFILE', 'STATE', 'NODE', 'USED / LIMIT', 'LEFT', ...(chained ? ['CHAIN'] : []), 'REASON'];
    print(formatTable([header, ...rows]));
  },
});
