// Dispatch a command and map every failure to a documented exit code: the one
// top-level catch of the program.
import { parseArgs } from 'node:util';
import { runFatalCleanups } from '../cleanup.js';
import { SlurmhopError, usageError } from '../errors.js';
import type { Command } from '../command.js';
import { COMMANDS } from './commands/index.js';
import { helpText } from './commands/help.js';
import { EXIT } from './exit-codes.js';
import { keepStdoutForTheStream, print } from '../output.js';
import { VERSION } from '../version.js';

export async function runCli(argv: string[], commands: Command[] = COMMANDS): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      print(helpText(commands));
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      print(`slurmhop ${VERSION}`);
      return EXIT.ok;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) {
      const known = commands.filter((c) => !c.internal).map((c) => c.name).join(', ');
      throw usageError(`unknown command "${name}"`, `commands: ${known}; see "remote help"`);
    }
    if (command.stdoutIsStream) keepStdoutForTheStream();
    const { positionals, values } = parseCommandArgs(command, rest);
    return (await command.run({ positionals, values })) ?? EXIT.ok;
  } catch (err) {
    return report(err);
  }
}

function parseCommandArgs(command: Command, args: string[]) {
  try {
    return parseArgs({ args, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(`${(err as Error).message.split('\n')[0]}`, `usage: ${command.usage}`);
  }
}

/** Filesystem failures of the state directory are the user's to fix, not bugs. */
const STATE_ERRNOS = new Set(['EACCES', 'EPERM', 'EDQUOT', 'ENOSPC', 'EROFS', 'ESTALE', 'EIO']);

function report(err: unknown): number {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (!(err instanceof SlurmhopError) && code && STATE_ERRNOS.has(code)) {
    const e = err as NodeJS.ErrnoException;
    err = new SlurmhopError('state', `${e.syscall ?? 'file operation'} ${e.path ?? ''} failed: ${code}`.replace('  ', ' '), 'check the disk quota and the permissions of your state directory (see "remote help")');
  }
  if (err instanceof SlurmhopError) {
    process.stderr.write(`slurmhop: ${err.message}\n`);
    if (err.hint) process.stderr.write(`slurmhop: ${err.hint}\n`);
    return EXIT[err.kind];
  }
  process.stderr.write(`slurmhop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}

export function main(argv: string[]): void {
  // Once the ssh client is gone, writing a message raises EPIPE: never a reason to die.
  process.stderr.on('error', () => {});
  // Node's default for an uncaught error is exit code 1, which ssh uses too.
  const die = (err: unknown) => {
    const code = report(err);
    void runFatalCleanups().finally(() => process.exit(code));
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
  runCli(argv).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`slurmhop: internal error: ${String(err)}\n`);
      process.exit(EXIT.internal);
    },
  );
}
