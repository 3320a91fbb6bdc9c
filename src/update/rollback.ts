// `remote rollback`: back to the version that ran before the last change
// (an installed release or the built-in copy). Running it again undoes it.
// Automatic updates pass over the version rolled back from; a newer one, or
// `remote update`, still installs.
import { SlurmhopError } from '../errors.js';
import type { UpdateDeps } from './deps.js';
import { chosenVersion, readCurrent, readInstalled, writeCurrent, type CurrentState } from './installed.js';
import { describeHolder, tryLock } from '../state/index.js';
import { compareVersions } from './semver.js';

export interface RollbackResult {
  from: string;
  to: string;
}

export function rollback(deps: Pick<UpdateDeps, 'paths' | 'running' | 'key' | 'log' | 'now'>): RollbackResult {
  const { paths } = deps;
  const builtin = deps.running.launcher.version;
  const lock = tryLock(paths.lock);
  if ('heldBy' in lock) {
    throw new SlurmhopError('state', `an update is running (${describeHolder(lock.heldBy)})`, 'try again when it has finished');
  }
  try {
    const state = readCurrent(paths);
    if (!state || state.previous === undefined) {
      throw new SlurmhopError('update-unavailable', 'nothing to roll back to: no update has been installed', 'see "remote --version --verbose"');
    }
    const to = state.previous;
    if (to !== null) {
      if (!deps.key) throw new SlurmhopError('update-rejected', 'this build has no release key, so it runs no release');
      try {
        readInstalled(paths, to, deps.key);
      } catch (err) {
        throw new SlurmhopError('update-unavailable', `the previous version ${to} cannot run: ${(err as Error).message}`, 'install one with "remote update --version X"');
      }
    }
    const from = chosenVersion(state, builtin) ?? builtin;
    const fromName = chosenVersion(state, builtin) ? from : `built-in ${builtin}`;
    const toVersion = to ?? builtin;
    const next: CurrentState = {
      version: to,
      previous: state.version,
      pinned: true,
      ...(compareVersions(toVersion, from) < 0 ? { skipThrough: from } : {}),
      changedAt: new Date(deps.now()).toISOString(),
    };
    writeCurrent(paths, next);
    const result = { from: fromName, to: to === null ? `built-in ${builtin}` : to };
    deps.log({ type: 'rolled-back', ...result });
    return result;
  } finally {
    lock.release();
  }
}
