import { getProfile, loadConfig } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultSessionContext, openSession } from '../../session/index.js';
import { scheduleUpdateCheck } from '../../update/index.js';
import type { Command } from '../command.js';

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'connect stdin/stdout to the profile\'s session (used as an ssh ProxyCommand)',
  usage: 'remote proxy <profile>',
  stdoutIsStream: true,
  async run({ positionals }) {
    const [name, ...rest] = positionals;
    if (!name || rest.length) throw usageError('remote proxy takes exactly one profile name', 'e.g. remote proxy cpu');
    const profile = getProfile(loadConfig(), name);
    scheduleUpdateCheck();
    await openSession(defaultSessionContext(), profile, { input: process.stdin, output: process.stdout });
  },
};
