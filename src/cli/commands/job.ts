import { CONTAINER_RUNTIMES, PROFILE_NAME } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultJobContext, runJob, type ContainerSettings } from '../../job/index.js';
import { createLog } from '../../log.js';
import type { Command } from '../command.js';

// The job gets its settings from the job script, not from config.ini: an edit
// made while the job was pending must not change or break it.
export const jobCommand: Command = {
  name: 'job',
  summary: 'run the session inside a batch job (started by the job script)',
  usage:
    'remote job <profile> [--idle-timeout SECONDS] [--idle-gpu] [--warn-before S,S|none] [--transport tcp|srun|node-sshd] [--sshd PATH]\n' +
    '                     [--container IMAGE --container-runtime auto|enroot|apptainer|podman [--container-mount SRC[:DST[:ro]]]... [--container-slurm]]',
  internal: true,
  options: { 'idle-timeout': { type: 'string' }, 'idle-gpu': { type: 'boolean' }, 'warn-before': { type: 'string' }, transport: { type: 'string' },
    sshd: { type: 'string' },
    container: { type: 'string' },
    'container-runtime': { type: 'string' },
    'container-mount': { type: 'string', multiple: true },
    'container-slurm': { type: 'boolean' },
  },
  async run({ positionals, values }) {
    const [profile, ...rest] = positionals;
    if (!profile || rest.length || !PROFILE_NAME.test(profile)) throw usageError('remote job takes exactly one profile name');
    const idle = String(values['idle-timeout'] ?? '0');
    if (!/^\d+$/.test(idle)) throw usageError(`--idle-timeout must be whole seconds, not "${idle}"`);
    const sshd = values.sshd === undefined ? undefined : String(values.sshd);
    const warn = String(values['warn-before'] ?? 'none');
    if (!/^(none|\d+(,\d+)*)$/.test(warn)) throw usageError(`--warn-before must be seconds separated by commas, or none, not "${warn}"`);
    const warnBefore = warn === 'none' ? [] : warn.split(',').map(Number);
    const transport = String(values.transport ?? 'tcp');
    if (transport !== 'tcp' && transport !== 'srun' && transport !== 'node-sshd') throw usageError(`--transport must be tcp, srun or node-sshd, not "${transport}"`);
    const container = containerSettings(values);
    await runJob(defaultJobContext(createLog()), { profile, sshd, idleTimeout: Number(idle), idleGpu: Boolean(values['idle-gpu']), warnBefore, transport, ...(container ? { container } : {}) });
  },
};

function containerSettings(values: Record<string, string | boolean | (string | boolean)[] | undefined>): ContainerSettings | undefined {
  if (values.container === undefined) return undefined;
  const runtime = String(values['container-runtime'] ?? 'auto');
  if (!(CONTAINER_RUNTIMES as readonly string[]).includes(runtime) || runtime === 'none') {
    throw usageError(`--container-runtime must be auto, enroot, apptainer or podman, not "${runtime}"`);
  }
  const mounts = ([values['container-mount'] ?? []].flat() as string[]).map(String);
  return { image: String(values.container), runtime: runtime as ContainerSettings['runtime'], mounts, slurm: Boolean(values['container-slurm']) };
}
