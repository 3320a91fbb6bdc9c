import { getProfile, loadConfig, type Profile } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultSessionContext, swap } from '../../session/index.js';
import { readCurrent } from '../../state/index.js';
import { defineCommand, type Values } from '../../command.js';
import { print } from '../../output.js';
import { shellOnJob } from './ssh.js';

const SWAP_OPTIONS = { keep: { type: 'boolean' }, shell: { type: 'boolean' }, fresh: { type: 'boolean' } } as const;

async function runSwap(target: string, values: Values<typeof SWAP_OPTIONS>): Promise<number | void> {
  const config = loadConfig();
  const profile = getProfile(config, target);
  const ctx = defaultSessionContext();
  const current = readCurrent(ctx.stateDir);
  const from: Profile | undefined = current ? config.profiles.get(current.profile) : undefined;
  const result = await swap(ctx, profile, from, { keep: values.keep === true, fresh: values.fresh === true });
  if (result.already) {
    print(`already on ${profile.name} (job ${result.job.jobId} on ${result.contact.node})`);
  } else {
    const old = result.previous && result.previous.jobId !== result.job.jobId ? ` (job ${result.previous.jobId} ${result.previousEnded ? 'ended' : 'kept'})` : '';
    print(`session moved to job ${result.job.jobId} (${profile.name}) on ${result.contact.node}${old}; "ssh <prefix>" follows it`);
  }
  if (values.shell) return shellOnJob(result.job.jobId, []);
}

export const swapCommand = defineCommand({
  name: 'swap',
  summary: 'move the current session to another profile\'s job (then end the old one); already on it, it says so (--fresh: a new job anyway)',
  usage: 'remote swap <profile> [--fresh] [--keep] [--shell]',
  options: SWAP_OPTIONS,
  async run({ positionals, values }) {
    const [name, ...rest] = positionals;
    if (!name || rest.length) throw usageError('remote swap takes exactly one profile name', 'e.g. remote swap gpu');
    return runSwap(name, values);
  },
});

export const gpuswapCommand = defineCommand({
  name: 'gpuswap',
  summary: 'remote swap gpu',
  usage: 'remote gpuswap [--fresh] [--keep] [--shell]',
  options: SWAP_OPTIONS,
  async run({ positionals, values }) {
    if (positionals.length) throw usageError('remote gpuswap takes no profile (it swaps to gpu)');
    return runSwap('gpu', values);
  },
});
