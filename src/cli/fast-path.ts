// What `remote` answers before the whole program is loaded: `--version`, and
// the warm path of `remote proxy` where the front of `remote` (front/) left it
// to the executable. Shared by the single executable's first script
// (first-script.ts) and the full program (entry.ts, which is also what a release
// bundle runs); the front beside the executable is kept current here.
import fs from 'node:fs';
import { mark } from '../timing.js';
import { runningProgram } from '../update/running.js';
import { VERSION } from '../version.js';

export const isVersion = (a: string | undefined) => a === '--version' || a === '-V';

/** Answers `args` on a fast path where one applies, else calls `full`. */
export function runFastPath(args: string[], full: () => void): void {
  mark('launcher-done');
  if (args.length === 1 && isVersion(args[0])) {
    // Not process.stdout: creating that stream (for a pipe, with net) costs more than the rest.
    fs.writeSync(1, `slurmhop ${VERSION}\n`);
    return;
  }
  // The front beside this executable becomes this version's (a signed update can fix it too);
  // not by a release on trial (`--bundle DIR`: the updater's self-check).
  if (runningProgram(VERSION).source !== 'explicit') (require('../front/refresh.js') as typeof import('../front/refresh.js')).refreshFront();
  if (args.length === 2 && args[0] === 'proxy') {
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
