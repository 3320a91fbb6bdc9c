// Entry point of the single executable and of every release bundle. The
// launcher first picks the copy of the program to run (an installed, verified
// release or this built-in one); `--version` is then answered before the rest
// of the program is loaded: esbuild keeps a require()d module lazy.
import { SlurmhopError } from '../errors.js';
import { launch } from '../update/launch.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../version.js';

const isVersion = (a: string | undefined) => a === '--version' || a === '-V';
const isVerbose = (a: string | undefined) => a === '--verbose' || a === '-v';

function runProgram(args: string[]): void {
  if (args.length === 1 && isVersion(args[0])) {
    process.stdout.write(`slurmhop ${VERSION}\n`);
  } else if (args.length === 2 && args.some(isVersion) && args.some(isVerbose)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../update/describe.js') as typeof import('../update/describe.js')).printVersionVerbose(VERSION);
  } else if (args.length === 1 && args[0] === '--self-check') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS } = require('./commands/index.js') as typeof import('./commands/index.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../update/self-check.js') as typeof import('../update/self-check.js')).selfCheck(VERSION, COMMANDS.map((c) => c.name));
  } else if (args.length === 2 && args[0] === 'proxy') {
    // The warm path runs before the rest of the program loads: it is most connects.
    const warm = require('../session/warm.js') as typeof import('../session/warm.js');
    const schedule = () => (require('../update/schedule.js') as typeof import('../update/schedule.js')).scheduleUpdateCheck();
    warm.tryWarmHandoff(args[1]!, schedule).then(
      (handedOff) => handedOff || runMain(args),
      () => runMain(args),
    );
  } else {
    runMain(args);
  }
}

function runMain(args: string[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./main.js') as typeof import('./main.js')).main(args);
}

try {
  launch(process.argv.slice(2), { version: VERSION, run: runProgram });
} catch (err) {
  // `--bundle DIR` that does not verify, or a program that cannot even load; main.ts has its own catch.
  if (err instanceof SlurmhopError) {
    process.stderr.write(`slurmhop: ${err.message}\n`);
    process.exitCode = EXIT[err.kind];
  } else {
    process.stderr.write(`slurmhop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.internal;
  }
}

