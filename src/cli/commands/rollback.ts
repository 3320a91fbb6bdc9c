import { usageError } from '../../errors.js';
import { defaultUpdateDeps, rollback } from '../../update/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'go back to the version that ran before the last update (again: undo); automatic updates skip the one left',
  usage: 'remote rollback',
  async run({ positionals }) {
    if (positionals.length) throw usageError('remote rollback takes no arguments');
    const { from, to } = rollback(defaultUpdateDeps());
    print(`rolled back from ${from} to ${to}: the next "remote" run uses ${to}`);
  },
});
