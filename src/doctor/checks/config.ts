// config.ini loads: every error names the file and line, with the fix.
import { loadConfig, type Config } from '../../config/index.js';
import { SlurmhopError } from '../../errors.js';
import type { DoctorDeps } from '../deps.js';
import { fail, ok, type CheckResult } from '../result.js';

const NAME = 'config';

export function checkConfig(deps: DoctorDeps): { result: CheckResult; config?: Config } {
  let config: Config;
  try {
    config = loadConfig(deps.configFile);
  } catch (err) {
    if (!(err instanceof SlurmhopError)) throw err;
    const fix = err.hint ? `${err.hint} (in ${deps.configFile})` : `edit ${deps.configFile}`;
    return { result: fail(NAME, err.message, `${fix}; nothing is submitted until it loads`) };
  }
  const names = [...config.profiles.keys()].join(', ') || '(none)';
  const summary = config.exists ? `${config.file}: profiles ${names}` : `${config.file} does not exist: the built-in profiles ${names}`;
  return { result: ok(NAME, summary), config };
}
