import { getProfile, loadConfig } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { acquireJob, allocate, defaultSessionContext } from '../../session/index.js';
import { writeCurrent } from '../../state/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const allocCommand = defineCommand({
  name: 'alloc',
  summary: 'allocate a profile\'s job now and connect later (returns when its session is ready)',
  usage: 'remote alloc <profile> [--no-wait]',
  options: { 'no-wait': { type: 'boolean' } },
  async run({ positionals, values }) {
    const [name, ...rest] = positionals;
    if (!name || rest.length) throw usageError('remote alloc takes exactly one profile name', 'e.g. remote alloc gpu');
    const profile = getProfile(loadConfig(), name);
    const ctx = defaultSessionContext();
    if (values['no-wait']) {
      const job = await acquireJob(ctx, profile);
      writeCurrent(ctx.stateDir, { profile: profile.name, jobId: job.jobId });
      print(`job ${job.jobId} (${profile.name}) ${job.submittedByUs ? 'submitted' : 'already there'}; "remote list" shows when it runs`);
      return;
    }
    const { job, contact } = await allocate(ctx, profile);
    print(`job ${job.jobId} (${profile.name}) is ready on ${contact.node}: connect with ssh <prefix>-${profile.name} or ssh <prefix>`);
  },
});
