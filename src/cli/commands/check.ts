import { SlurmhopError, usageError } from '../../errors.js';
import { checkLatest, defaultUpdateDeps, describeAutomatic, label } from '../../update/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const checkCommand = defineCommand({
  name: 'check',
  summary: 'compare the running version with the newest release (installs nothing)',
  usage: 'remote check',
  async run({ positionals }) {
    if (positionals.length) throw usageError('remote check takes no arguments');
    const deps = defaultUpdateDeps();
    print(`running:    ${label(deps)}`);
    const latest = await checkLatest(deps);
    if ('why' in latest) {
      for (const line of describeAutomatic(deps.settings, deps.paths)) print(line);
      throw new SlurmhopError('update-unavailable', latest.why, 'see "remote --version --verbose"');
    }
    print(`latest:     ${latest.latest ?? 'no release yet'}${latest.latest ? ` (tag v${latest.latest})` : ''}`);
    print(latest.newer ? `update:     ${latest.latest} is newer: "remote update" installs it now` : 'update:     none, up to date');
    for (const line of describeAutomatic(deps.settings, deps.paths)) print(line);
  },
});
