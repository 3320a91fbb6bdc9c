import os from 'node:os';
import { forgetEndedContacts, listSessionJobs } from '../../session/index.js';
import { jobContact } from '../../state/index.js';
import { stateDir } from '../../paths.js';
import { execaRunner } from '../../slurm/index.js';
import { defineCommand } from '../../command.js';
import { formatTable, print } from '../../output.js';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'your slurmhop jobs: profile, state, node, time used / limit, reason',
  usage: 'remote list [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values }) {
    const state = stateDir();
    const listed = await listSessionJobs(execaRunner, os.userInfo().username);
    forgetEndedContacts(state, listed);
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
    const rows = jobs.map((j) => [
      j.id,
      j.profile,
      j.state + (j.state === 'RUNNING' && !j.ready ? ' (starting)' : ''),
      j.node ?? '-',
      `${j.timeUsed} / ${j.timeLimit}`,
      j.state === 'PENDING' ? (j.startTime ? `est. start ${j.startTime}` : '-') : j.timeLeft,
      j.reason ?? '',
    ]);
    print(formatTable([['JOBID', 'PROFILE', 'STATE', 'NODE', 'USED / LIMIT', 'LEFT', 'REASON'], ...rows]));
  },
});
