import { SlurmhopError, usageError } from '../../errors.js';
import { defaultSessionContext, whySessionEnded, type SessionEnd } from '../../session/index.js';
import { defineCommand } from '../../command.js';

/** How the relay's script saw the session end (session/handoff.ts); a digit is an older relay's status (0: it ended). */
function sessionEnd(how: string): SessionEnd | undefined {
  if (how === 'client') return { by: 'client' };
  if (how === 'job') return { by: 'job' };
  if (how === 'server' || how === '0') return { by: 'server' };
  if (how === 'lost' || /^\d+$/.test(how)) return { by: 'error', error: new Error('the connection to the job was lost') };
  return undefined;
}

// Run by the relay hand-off (session/handoff.ts) once the relay program exits.
export const sessionEndedCommand = defineCommand({
  name: 'session-ended',
  summary: 'say why a handed-off session ended (run by the relay)',
  usage: 'remote session-ended <jobid> client|server|job|lost [<status-size-at-start>]',
  internal: true,
  stdoutIsStream: true,
  async run({ positionals }) {
    const [jobId, how, since, ...rest] = positionals;
    const end = how === undefined ? undefined : sessionEnd(how);
    // An older relay passes no size, an srun relay an empty one.
    const sinceOk = since === undefined || since === '' || /^\d+$/.test(since);
    if (!jobId || !/^\d+$/.test(jobId) || !end || !sinceOk || rest.length) {
      throw usageError('remote session-ended takes a job id, how the session ended (client, server, job or lost), and the size of its status file at the start');
    }
    const ctx = defaultSessionContext();
    const why = await whySessionEnded(ctx, { jobId }, end, since ? Number(since) : undefined);
    if (!why) return;
    ctx.log({ type: 'session-ended', jobId, why });
    throw new SlurmhopError('connection-lost', `the session in job ${jobId} ended: ${why}`);
  },
});
