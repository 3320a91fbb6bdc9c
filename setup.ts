// npm run setup (= npx tsx setup.ts): the laptop wizard. Everything is in
// src/setup/; this file wires the real terminal, clock, ssh and files to it
// and maps failures to exit codes (the one top-level catch).
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, createAsker, createReport, parseSetupArgs, runWizard, SETUP_EXIT, SetupError, USAGE, type SetupDeps } from './src/setup/index.js';

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseSetupArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return SETUP_EXIT.ok;
    }
    const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !args.passwordStdin;
    const platform = process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux';
    const deps: SetupDeps = {
      laptop: { platform, home: os.homedir(), env: process.env },
      now: () => new Date(),
      ask: createAsker({ questions: tty && !args.yes, tty }),
      report: createReport((text) => process.stderr.write(text)),
      out: (text) => process.stdout.write(text),
      readStdin: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      },
      distDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist'),
      connect,
      runSsh: async (program, sshArgs) => {
        const r = await execa(program, sshArgs, { reject: false, stdin: tty ? 'inherit' : 'ignore', stderr: ['pipe', 'inherit'] });
        return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
      },
    };
    await runWizard(args, deps);
    return SETUP_EXIT.ok;
  } catch (err) {
    if (err instanceof SetupError) {
      process.stderr.write(`\nslurmhop setup: ${err.message}\n`);
      if (err.hint) process.stderr.write(`slurmhop setup: ${err.hint}\n`);
      return SETUP_EXIT[err.kind];
    }
    process.stderr.write(`\nslurmhop setup: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return SETUP_EXIT.internal;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
