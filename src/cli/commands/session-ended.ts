import { SlurmhopError, usageError } from '../../errors.js';
import { defaultSessionContext, whySessionEnded } from '../../session/index.js';
import { defineCommand } from '../command.js';

// Run by the relay hand-off (session/handoff.ts) once the relay program exits.
export const sessionEndedCommand = defineCommand({
  name: 'session-ended',
  summary: 'say why a handed-off session ended (run by the relay)',
  usage: 'remote session-ended <jobid> <relay exit status>',
  internal: true,
  stdoutIsStream: true,
  async run({ positionals }) {
    const [jobId, status] = positionals;
    if (!jobId || !/^\d+$/.test(jobId) || !status || !/^\d+$/.test(status)) throw usageError('remote session-ended takes a job id and an exit status');
    const ctx = defaultSessionContext();
    const end = status === '0' ? { by: 'server' as const } : { by: 'error' as const, error: new Error(`the relay exited with status ${status}`) };
    const why = await whySessionEnded(ctx, { jobId }, end);
    if (!why) return;
    ctx.log({ type: 'session-ended', jobId, why });
    throw new SlurmhopError('connection-lost', `the session in job ${jobId} ended: ${why}`);
  },
});
