// `slurmhop setup` (and `npm run setup` from a checkout): the wizard, with the
// real terminal, clock, ssh and files.
import { execa } from 'execa';
import { connect, createAsker, createReport, exitCleanlyOnSignals, parseSetupArgs, runWizard, USAGE, type SetupDeps } from '../../setup/index.js';
import type { LaptopCommand } from '../command.js';
import type { LaptopEnv } from '../env.js';

export const setupCommand: LaptopCommand = {
  name: 'setup',
  summary: 'set up a cluster: a key, remote on the login node, profiles, the ssh config, VS Code (asks what it needs)',
  usage: 'slurmhop setup [options]      (every option: slurmhop setup --help)',
  help: { what: 'The setup wizard: see "slurmhop setup --help".', examples: ['slurmhop setup'] },
  run: (args, env) => setup(args, env),
};

export async function setup(argv: string[], env: LaptopEnv): Promise<number> {
  const args = parseSetupArgs(argv);
  if (args.help) {
    env.out(`${USAGE}\n`);
    return 0;
  }
  const tty = env.interactive && Boolean(process.stderr.isTTY) && !args.passwordStdin;
  const deps: SetupDeps = {
    laptop: env.laptop,
    now: () => new Date(),
    ask: createAsker({ questions: tty && !args.yes, tty }),
    report: createReport((text) => env.err(text), { tty: Boolean(process.stderr.isTTY) }),
    out: env.out,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    remoteBinary: env.remoteBinary,
    connect,
    runSsh: async (program, sshArgs) => {
      const r = await execa(program, sshArgs, { reject: false, stdin: tty ? 'inherit' : 'ignore', stderr: ['pipe', 'inherit'] });
      return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
  };
  const restore = exitCleanlyOnSignals(env.err);
  try {
    await runWizard(args, deps);
  } finally {
    restore();
  }
  return 0;
}
