import { getProfile, loadConfig } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultJobContext, runJob } from '../../job/index.js';
import { createLog } from '../../log.js';
import type { Command } from '../command.js';

export const jobCommand: Command = {
  name: 'job',
  summary: 'run the session inside a batch job (started by the job script)',
  usage: 'remote job <profile>',
  internal: true,
  async run({ positionals }) {
    const [name, ...rest] = positionals;
    if (!name || rest.length) throw usageError('remote job takes exactly one profile name');
    const profile = getProfile(loadConfig(), name);
    await runJob(defaultJobContext(createLog()), profile);
  },
};
