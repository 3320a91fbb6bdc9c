// Commands are data (name, usage, options, run), for both programs: `remote` (src/cli) and `slurmhop` (src/laptop).
import type { parseArgs, ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What node:util's parseArgs gives for these option definitions: booleans, strings, arrays of them for `multiple`. */
export type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];

export interface ParsedArgs<O extends Options = Options> {
  positionals: string[];
  values: Values<O>;
}

/** Commands are data: the table in commands/index.ts lists them all. */
export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  usage: string;
  options?: O;
  /** Internal commands are not listed in help. */
  internal?: boolean;
  /** In proxy mode stdout is the SSH stream: the runner keeps everything else off it. */
  stdoutIsStream?: boolean;
  run(args: ParsedArgs<O>): Promise<number | void>;
}

/** A command whose `run` gets its values typed from its own option definitions (as citty's defineCommand). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function defineCommand<const O extends Options = {}>(command: Command<O>): Command {
  return command as unknown as Command;
}
