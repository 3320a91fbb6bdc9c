import { PROFILE_NAME } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultJobContext, runJob } from '../../job/index.js';
import { createLog } from '../../log.js';
import type { Command } from '../command.js';

// The job gets its settings from the job script, not from config.ini: an edit
// made while the job was pending must not change or break it.
export const jobCommand: Command = {
  name: 'job',
  summary: 'run the session inside a batch job (started by the job script)',
  usage: 'remote job <profile> [--idle-timeout SECONDS] [--idle-gpu] [--warn-before S,S|none] [--loopback-only] [--sshd PATH]',
  internal: true,
  options: { 'idle-timeout': { type: 'string' }, 'idle-gpu': { type: 'boolean' }, 'warn-before': { type: 'string' }, 'loopback-only': { type: 'boolean' }, sshd: { type: 'string' } },
  async run({ positionals, values }) {
    const [profile, ...rest] = positionals;
    if (!profile || rest.length || !PROFILE_NAME.test(profile)) throw usageError('remote job takes exactly one profile name');
    const idle = String(values['idle-timeout'] ?? '0');
    if (!/^\d+$/.test(idle)) throw usageError(`--idle-timeout must be whole seconds, not "${idle}"`);
    const sshd = values.sshd === undefined ? undefined : String(values.sshd);
    const warn = String(values['warn-before'] ?? 'none');
    if (!/^(none|\d+(,\d+)*)$/.test(warn)) throw usageError(`--warn-before must be seconds separated by commas, or none, not "${warn}"`);
    const warnBefore = warn === 'none' ? [] : warn.split(',').map(Number);
    const transport = values['loopback-only'] ? 'srun' : 'tcp';
    await runJob(defaultJobContext(createLog()), { profile, sshd, idleTimeout: Number(idle), idleGpu: Boolean(values['idle-gpu']), warnBefore, transport });
  },
};
