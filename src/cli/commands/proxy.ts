import { getProfile, loadConfig } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { defaultSessionContext, openSession } from '../../session/index.js';
import { readCurrent } from '../../state/index.js';
import { stateDir } from '../../paths.js';
import type { Config } from '../../config/index.js';
import { scheduleUpdateCheck } from '../../update/index.js';
import { defineCommand } from '../../command.js';

export const proxyCommand = defineCommand({
  name: 'proxy',
  summary: 'connect stdin/stdout to the profile\'s session (used as an ssh ProxyCommand)',
  usage: 'remote proxy <profile>|--current',
  options: { current: { type: 'boolean' } },
  stdoutIsStream: true,
  async run({ positionals, values }) {
    const [name, ...rest] = positionals;
    if ((!name && !values.current) || (name && values.current) || rest.length) {
      throw usageError('remote proxy takes exactly one profile name, or --current', 'e.g. remote proxy cpu');
    }
    const config = loadConfig();
    const profile = getProfile(config, name ?? currentProfileName(config));
    scheduleUpdateCheck();
    await openSession(defaultSessionContext(), profile, { input: process.stdin, output: process.stdout });
  },
});

/** The session `--current` follows: the last one submitted, allocated or swapped to; else the first profile. */
function currentProfileName(config: Config): string {
  const current = readCurrent(stateDir());
  if (current && config.profiles.has(current.profile)) return current.profile;
  const first = [...config.profiles.keys()][0];
  if (!first) throw usageError(`${config.file} defines no profile`);
  process.stderr.write(`slurmhop: no current session yet: using profile ${first}\n`);
  return first;
}
