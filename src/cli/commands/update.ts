import { SlurmhopError, usageError } from '../../errors.js';
import { defaultUpdateDeps, updateNow, type UpdateMode, type UpdateOutcome } from '../../update/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const updateCommand = defineCommand({
  name: 'update',
  summary: 'install the newest signed release now (or --version X.Y.Z, older ones too); the next run uses it',
  usage: 'remote update [--version X.Y.Z]',
  // --auto: the background check that `remote proxy` starts (log only, always exit 0).
  options: { version: { type: 'string' }, auto: { type: 'boolean' } },
  async run({ positionals, values }) {
    if (positionals.length) throw usageError('remote update takes no arguments', 'e.g. remote update --version 1.2.3');
    if (values.auto) {
      await backgroundCheck();
      return;
    }
    let mode: UpdateMode = { kind: 'latest' };
    if (values.version !== undefined) {
      const version = values.version.replace(/^v/, '');
      if (!/^\d+\.\d+\.\d+$/.test(version)) throw usageError(`--version needs X.Y.Z, not "${values.version}"`);
      mode = { kind: 'version', version };
    }
    const deps = defaultUpdateDeps({ echo: (line) => process.stderr.write(`slurmhop: update: ${line}\n`) });
    report(await updateNow(deps, mode), deps.paths.log);
  },
});

// Detached from the connection that started it: nothing to show, nowhere to fail to.
async function backgroundCheck(): Promise<void> {
  try {
    await updateNow(defaultUpdateDeps(), { kind: 'auto' });
  } catch {
    // the log has what could be written
  }
}

function report(outcome: UpdateOutcome, log: string): void {
  const hint = `details in ${log}`;
  switch (outcome.result) {
    case 'installed':
      print(`installed ${outcome.version} (was ${outcome.previous}): the next "remote" run uses it`);
      return;
    case 'up-to-date':
      print(`up to date: running ${outcome.running}${outcome.latest ? `, latest release ${outcome.latest}` : ', the repository has no release yet'}`);
      return;
    case 'skipped':
      print(outcome.why);
      return;
    case 'busy':
      throw new SlurmhopError('state', outcome.why, 'try again when it has finished');
    case 'unavailable':
      throw new SlurmhopError('update-unavailable', outcome.why, hint);
    case 'rejected':
      throw new SlurmhopError('update-rejected', `release ${outcome.version} refused: ${outcome.why}`, `the working version still runs; ${hint}`);
    case 'failed':
      throw new SlurmhopError(outcome.cause === 'state' ? 'state' : 'update-unavailable', `update failed: ${outcome.why}`, `the working version still runs; ${hint}`);
  }
}
