// The first call of `remote`: the launcher picks the copy of the program that
// runs (update/launch.ts) and hands it the arguments. What fails before the
// program's own catch (main.ts) is reported here.
import { SlurmhopError } from '../errors.js';
import { launch, type BuiltIn } from '../update/launch.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';

export function start(run: BuiltIn['run']): void {
  try {
    launch(process.argv.slice(2), { version: VERSION, run });
  } catch (err) {
    // `--bundle DIR` that does not verify, or a program that cannot even load.
    if (err instanceof SlurmhopError) {
      process.stderr.write(`slurmhop: ${err.message}\n`);
      process.exitCode = EXIT[err.kind];
    } else {
      process.stderr.write(`slurmhop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT.internal;
    }
  }
}
