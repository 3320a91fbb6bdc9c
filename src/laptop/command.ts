// A command of the laptop program. Its arguments are handed on as they are:
// `setup` parses the wizard's options itself, and the remote commands pass
// theirs to `remote` on the login node.
import type { LaptopEnv } from './env.js';

export interface LaptopCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves with the exit code. */
  run(args: string[], env: LaptopEnv): Promise<number>;
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
