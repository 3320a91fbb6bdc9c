// Entry point of the full program: every release bundle, and the single
// executable's built-in copy (which first-script.ts loads when no fast path applies).
// The launcher first picks the copy of the program to run (an installed,
// verified release or this built-in one); `--version` and the warm path are
// then answered before the rest of the program is loaded: esbuild keeps a
// require()d module lazy.
import { VERSION } from '../version.js';
import { isVersion, runFastPath } from './fast-path.js';
import { start } from './start.js';
import type { Running } from '../update/running.js';

const isVerbose = (a: string | undefined) => a === '--verbose' || a === '-v';

function runProgram(args: string[], running: Running): void {
  if (args.length === 2 && args.some(isVersion) && args.some(isVerbose)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../update/describe.js') as typeof import('../update/describe.js')).printVersionVerbose(VERSION);
  } else if (args.length === 1 && args[0] === '--self-check') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS } = require('./commands/index.js') as typeof import('./commands/index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../update/self-check.js') as typeof import('../update/self-check.js')).selfCheck(VERSION, COMMANDS.map((c) => c.name));
  } else if (running.fastPathsTried) {
    runMain(args);
  } else {
    runFastPath(args, () => runMain(args));
  }
}

function runMain(args: string[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./main.js') as typeof import('./main.js')).main(args);
}

start(runProgram);
