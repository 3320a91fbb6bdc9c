// `slurmhop`, the laptop command: dispatch and the one top-level catch.
// Exit codes: the wizard's (SETUP_EXIT, documented in TUTORIAL.md) for what
// fails on this computer; a command run on the login node exits with the code
// `remote` exited with (ssh's own failure is 255).
import path from 'node:path';
import { SETUP_EXIT, SETUP_EXIT_DESCRIPTIONS, SetupError, wasInterrupted, type Laptop, type RemoteBinarySource } from '../setup/index.js';
import { VERSION } from '../version.js';
import { commandHelp, type LaptopCommand } from './command.js';
import { LAPTOP_COMMANDS } from './commands/index.js';
import type { LaptopEnv } from './env.js';
import { runProgram } from './run.js';
import { onStopSignals, startProgram } from './start.js';

/** The package's TUTORIAL.md: beside bin/ and dist/ (dist/laptop/slurmhop.cjs is two levels down), or the checkout's. */
const TUTORIAL = typeof __dirname === 'string' && __dirname.endsWith(path.join('dist', 'laptop')) ? path.join(__dirname, '..', '..', 'TUTORIAL.md') : 'TUTORIAL.md at the top of the repository';

export function helpText(commands: LaptopCommand[] = LAPTOP_COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `slurmhop ${VERSION}: ssh into your own Slurm allocation, from this computer`,
    '',
    'usage: slurmhop <command> [arguments]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'With several clusters set up, name one with --cluster NAME. "slurmhop help <command>" (or "slurmhop <command> --help")',
    'says what a command does, its options and an example.',
    '',
    'Exit codes (of setup, uninstall, code, jupyter and forward; a login node command exits with remote\'s own):',
    ...SETUP_EXIT_DESCRIPTIONS.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`),
    '',
    `The tutorial (setup step by step, troubleshooting): ${TUTORIAL}`,
  ].join('\n');
}

export async function runLaptop(argv: string[], env: LaptopEnv): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === 'help' && rest.length) return runLaptop([rest[0]!, '--help'], env);
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      env.out(`${helpText()}\n`);
      return name === undefined ? SETUP_EXIT.usage : SETUP_EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
      env.out(`slurmhop ${VERSION}\n`);
      return SETUP_EXIT.ok;
    }
    const command = LAPTOP_COMMANDS.find((c) => c.name === name);
    if (!command) throw new SetupError('usage', `unknown command "${name}"`, `commands: ${LAPTOP_COMMANDS.map((c) => c.name).join(', ')}; see "slurmhop help"`);
    if (name !== 'setup' && (rest.includes('--help') || rest.includes('-h'))) {
      env.out(`${commandHelp(command)}\n`);
      return SETUP_EXIT.ok;
    }
    return await command.run(rest, env);
  } catch (err) {
    if (wasInterrupted()) return SETUP_EXIT.declined;
    if (err instanceof SetupError) {
      env.err(`slurmhop: ${err.message}\n`);
      if (err.hint) env.err(`slurmhop: ${err.hint}\n`);
      return SETUP_EXIT[err.kind];
    }
    env.err(`slurmhop: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return SETUP_EXIT.internal;
  }
}

/** The real terminal, ssh and files; `remoteBinary` says where the cluster's executable comes from. */
export function main(argv: string[], remoteBinary: RemoteBinarySource, laptop: Laptop): void {
  const env: LaptopEnv = {
    laptop,
    remoteBinary,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    run: runProgram,
    start: startProgram,
    onStop: onStopSignals,
  };
  // After a signal the wizard's handler removes what was half made, then exits 10 itself.
  runLaptop(argv, env).then((code) => wasInterrupted() || process.exit(code));
}
