// What `remote` answers before the whole program is loaded: `--version`, and
// the warm path of `remote proxy` (most connects: a job already runs). Shared
// by the single executable's first script (front.ts) and the full program
// (entry.ts, which is also what a release bundle runs).
import fs from 'node:fs';
import { mark } from '../timing.js';
import { VERSION } from '../version.js';

export const isVersion = (a: string | undefined) => a === '--version' || a === '-V';

/** Answers `args` on a fast path where one applies, else calls `full`. */
export function runFastPath(args: string[], full: () => void): void {
  mark('launcher-done');
  if (args.length === 1 && isVersion(args[0])) {
    // Not process.stdout: creating that stream (for a pipe, with net) costs more than the rest.
    fs.writeSync(1, `slurmhop ${VERSION}\n`);
  } else if (args.length === 2 && args[0] === 'proxy') {
    const warm = require('../session/warm.js') as typeof import('../session/warm.js');
    mark('warm-path-loaded');
    const schedule = () => (require('../update/schedule.js') as typeof import('../update/schedule.js')).scheduleUpdateCheck();
    warm.tryWarmHandoff(args[1]!, schedule).then(
      (handedOff) => handedOff || full(),
      () => full(),
    );
  } else {
    full();
  }
}
