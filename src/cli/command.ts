import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
}

/** Commands are data: the table in commands/index.ts lists them all. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options?: Options;
  /** Internal commands are not listed in help. */
  internal?: boolean;
  /** In proxy mode stdout is the SSH stream: the runner keeps everything else off it. */
  stdoutIsStream?: boolean;
  run(args: ParsedArgs): Promise<number | void>;
}
