import { defineCommand, type Command } from '../../command.js';
import { EXIT_DESCRIPTIONS } from '../exit-codes.js';
import { print } from '../../output.js';
import { VERSION } from '../../version.js';

export function helpText(commands: Command[]): string {
  const visible = commands.filter((c) => !c.internal);
  const width = Math.max(...visible.map((c) => c.usage.length));
  return [
    `slurmhop ${VERSION}: ssh into your own Slurm allocation`,
    '',
    'Usage:',
    ...visible.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    `  ${'remote --version [--verbose]'.padEnd(width)}  print the version (--verbose: which copy runs, and where it came from)`,
    '',
    'Profiles live in ${XDG_CONFIG_HOME:-~/.config}/slurmhop/config.ini, one [profile.NAME] section each.',
    'State (jobs, logs, the job host key) lives in ${XDG_STATE_HOME:-~/.local/state}/slurmhop/.',
    '',
    'Exit codes:',
    ...EXIT_DESCRIPTIONS.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`),
  ].join('\n');
}

export function helpCommand(all: () => Command[]): Command {
  return defineCommand({
    name: 'help',
    summary: 'show this help',
    usage: 'remote help',
    async run() {
      print(helpText(all()));
    },
  });
}
