// All checks, in an order that reads top-down. The state directory is looked
// at before anything else could touch it (nothing in doctor changes files).
import { checkAuthorizedKeys } from './checks/authorized-keys.js';
import { checkConfig } from './checks/config.js';
import { checkHome } from './checks/home.js';
import { checkHostKey } from './checks/host-key.js';
import { checkSlurm } from './checks/slurm.js';
import { checkStateDir } from './checks/state-dir.js';
import { checkSubmission } from './checks/submit.js';
import { checkUpdates } from './checks/update.js';
import { checkVersion } from './checks/version.js';
import type { DoctorDeps } from './deps.js';
import type { CheckResult } from './result.js';

export interface DoctorOptions {
  /** The profile of the test submission (default: cpu, else the first). */
  profile?: string | undefined;
}

export async function runDoctor(deps: DoctorDeps, options: DoctorOptions = {}, onResult: (r: CheckResult) => void = () => {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    onResult(r);
  };
  add(checkStateDir(deps));
  add(await checkHome(deps));
  add(checkVersion(deps));
  const { result: configResult, config } = checkConfig(deps);
  add(configResult);
  add(await checkHostKey(deps));
  add(checkAuthorizedKeys(deps));
  const slurm = await checkSlurm(deps);
  add(slurm.result);
  add(await checkSubmission(deps, config, slurm.reachable, options.profile));
  add(checkUpdates(deps, config));
  return results;
}
