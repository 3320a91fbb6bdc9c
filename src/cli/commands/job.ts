import { CONTAINER_RUNTIMES, isOneOf, PROFILE_NAME, TRANSPORTS } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultJobContext, runJob, type ContainerSettings } from '../../job/index.js';
import { createLog } from '../../log.js';
import { defineCommand, type Values } from '../../command.js';

const JOB_OPTIONS = {
  'idle-timeout': { type: 'string' },
  'idle-gpu': { type: 'boolean' },
  'warn-before': { type: 'string' },
  transport: { type: 'string' },
  sshd: { type: 'string' },
  container: { type: 'string' },
  'container-runtime': { type: 'string' },
  'container-mount': { type: 'string', multiple: true },
  'container-slurm': { type: 'boolean' },
} as const;

// The job gets its settings from the job script, not from config.ini: an edit
// made while the job was pending must not change or break it. (One exception:
// a renewing job reads config.ini for its successor, which is what a connect
// would submit now; job/renew.ts.)
export const jobCommand = defineCommand({
  name: 'job',
  summary: 'run the session inside a batch job (started by the job script)',
  usage:
    'remote job <profile> [--idle-timeout SECONDS] [--idle-gpu] [--warn-before S,S|none] [--transport tcp|srun|node-sshd] [--sshd PATH]\n' +
    '                     [--container IMAGE --container-runtime auto|enroot|apptainer|podman [--container-mount SRC[:DST[:ro]]]... [--container-slurm]]',
  internal: true,
  options: JOB_OPTIONS,
  async run({ positionals, values }) {
    const [profile, ...rest] = positionals;
    if (!profile || rest.length || !PROFILE_NAME.test(profile)) throw usageError('remote job takes exactly one profile name');
    const idle = values['idle-timeout'] ?? '0';
    if (!/^\d+$/.test(idle)) throw usageError(`--idle-timeout must be whole seconds, not "${idle}"`);
    const warn = values['warn-before'] ?? 'none';
    if (!/^(none|\d+(,\d+)*)$/.test(warn)) throw usageError(`--warn-before must be seconds separated by commas, or none, not "${warn}"`);
    const warnBefore = warn === 'none' ? [] : warn.split(',').map(Number);
    const transport = word('--transport', values.transport ?? 'tcp', TRANSPORTS);
    const container = containerSettings(values);
    await runJob(defaultJobContext(createLog()), { profile, sshd: values.sshd, idleTimeout: Number(idle), idleGpu: values['idle-gpu'] === true, warnBefore, transport, ...(container ? { container } : {}) });
  },
});

function containerSettings(values: Values<typeof JOB_OPTIONS>): ContainerSettings | undefined {
  if (values.container === undefined) return undefined;
  const runtime = word('--container-runtime', values['container-runtime'] ?? 'auto', CONTAINER_RUNTIMES.filter((r) => r !== 'none'));
  return { image: values.container, runtime, mounts: values['container-mount'] ?? [], slurm: values['container-slurm'] === true };
}

/** The job script writes these from config.ini's checked values; a hand-typed command line gets a usage error. */
function word<T extends string>(option: string, value: string, words: readonly T[]): T {
  if (!isOneOf(value, words)) throw usageError(`${option} must be ${words.join(', ')}, not "${value}"`);
  return value;
}
