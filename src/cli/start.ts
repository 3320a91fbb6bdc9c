// The first call of `remote`: the launcher picks the copy of the program that
// runs (update/launch.ts) and hands it the arguments. What fails before the
// program's own catch (main.ts) is reported here.
import { fitAddressSpace, type Restart } from '../address-space.js';
import { SlurmhopError } from '../errors.js';
import { launch, type BuiltIn } from '../update/launch.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';

/** This executable again, same arguments, another environment (process.execve: Node 22.15+). */
const restartSelf: Restart | undefined =
  typeof process.execve === 'function' ? (env) => process.execve!(process.execPath, [process.execPath, ...process.argv.slice(2)], env) as never : undefined;

export function start(run: BuiltIn['run']): void {
  try {
    fitAddressSpace(process.env, restartSelf);
    launch(process.argv.slice(2), { version: VERSION, run });
  } catch (err) {
    // `--bundle DIR` that does not verify, or a program that cannot even load.
    if (err instanceof SlurmhopError) {
      process.stderr.write(`slurmhop: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
      process.exitCode = EXIT[err.kind];
    } else {
      process.stderr.write(`slurmhop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT.internal;
    }
  }
}
