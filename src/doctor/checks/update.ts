// The updater's state: which copy runs (and why an installed release did not),
// whether automatic updates are on, and how the last check ended.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { describeAutomatic, readCurrent, updatePaths } from '../../update/index.js';
import type { DoctorDeps } from '../deps.js';
import { warn, worst, type CheckResult } from '../result.js';

const NAME = 'updates';

export function checkUpdates(deps: DoctorDeps, config: Config | undefined): CheckResult {
  const paths = updatePaths(deps.stateDir);
  const running = deps.running.source === 'built-in' ? `built-in ${deps.running.version}` : `installed ${deps.running.version}`;
  const findings: CheckResult[] = [];
  if (deps.running.fallback) {
    findings.push(warn(NAME, `an installed release cannot run (${deps.running.fallback}): the built-in copy runs`, `"remote update" installs the newest release again, "remote rollback" returns to the previous one; details in ${paths.log}`));
  }
  if (fs.existsSync(paths.current) && !readCurrent(paths)) {
    findings.push(warn(NAME, `${paths.current} is unreadable: the built-in copy runs`, `remove it (rm ${paths.current}), then "remote update"`));
  }
  if (!config) return worst(NAME, [...findings, warn(NAME, `running ${running}; automatic updates not checked: config.ini does not load (see above)`)], '');
  const lines = describeAutomatic(config.update, paths, path.dirname(deps.configFile));
  const automatic = lines.find((l) => l.startsWith('automatic:'))?.replace(/^automatic:\s*/, '') ?? 'unknown';
  const last = lines.find((l) => l.startsWith('last check:'))?.replace(/^last check:\s*/, '');
  // describeAutomatic's line is "<ISO time>: <outcome>"; an outcome that is not "up to date"/"installed" is a failure.
  if (last && /^\S+: (failed|unavailable|rejected)/.test(last)) {
    findings.push(warn(NAME, `the last update check did not succeed: ${last}`, `"remote check" shows why; the log is ${paths.log}`));
  }
  const result = worst(NAME, findings, `running ${running}; automatic updates ${automatic}${last ? `; last check ${last}` : ''}`);
  if (result.status !== 'ok') result.summary = `running ${running}: ${result.summary}`;
  return result;
}
