// A command of the laptop program. Its arguments are handed on as they are:
// `setup` parses the wizard's options itself, and the remote commands pass
// theirs to `remote` on the login node.
import type { LaptopEnv } from './env.js';

export interface LaptopCommand {
  name: string;
  summary: string;
  usage: string;
  /** "slurmhop help NAME" and "slurmhop NAME --help": what it does, its options, examples. */
  help: { what: string; options?: Array<[string, string]>; examples: string[] };
  /** Resolves with the exit code. */
  run(args: string[], env: LaptopEnv): Promise<number>;
}

export const CLUSTER_OPTION: [string, string] = ['--cluster NAME', 'the cluster, when several are set up ("slurmhop clusters" lists them)'];

/** A command's own help text. */
export function commandHelp(c: LaptopCommand): string {
  const options = c.help.options ?? [];
  const width = Math.max(0, ...options.map(([o]) => o.length));
  return [
    `usage: ${c.usage}`,
    '',
    c.help.what,
    ...(options.length ? ['', 'Options:', ...options.map(([o, d]) => `  ${o.padEnd(width)}  ${d}`)] : []),
    '',
    c.help.examples.length > 1 ? 'Examples:' : 'Example:',
    ...c.help.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** Takes `--cluster NAME` (or `--cluster=NAME`) out of the arguments. */
export function takeCluster(args: string[]): { cluster: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--cluster') cluster = args[++i];
    else if (a.startsWith('--cluster=')) cluster = a.slice('--cluster='.length);
    else rest.push(a);
  }
  return { cluster, rest };
}
