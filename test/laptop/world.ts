// A laptop with cluster hpc set up, for the laptop command's long-running
// commands (forward, jupyter): remote's commands answered by \`run\`, the
// programs \`start\`s recorded and played scripted lines, the stop signals
// sent by the test.
import fs from 'node:fs';
import path from 'node:path';
import type { LaptopEnv, Started, StartOptions } from '../../src/laptop/env.js';
import { runLaptop } from '../../src/laptop/main.js';
import type { Laptop } from '../../src/setup/index.js';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';
import { linuxLaptop } from '../setup/block-inputs.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-laptop-world-');

export interface Scripted {
  program: string;
  args: string[];
  input: string;
  ended: boolean;
  killed: NodeJS.Signals[];
  /** Ends the program as if by itself (ssh's exit code). */
  finish: (code: number) => void;
}

export function laptopWorld(options: { jobs?: string; lines?: (s: Scripted) => string[]; interactive?: boolean; exitOnEnd?: number } = {}) {
  const home = tmp();
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh/config'), planSshConfig('', path.join(home, '.ssh/config'), linuxLaptop, 'hpc', '\n').after);
  const laptop: Laptop = { platform: 'linux', home, env: { PATH: '/nonexistent' } };
  const runs: string[] = [];
  const started: Scripted[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let stopHandler: ((s: NodeJS.Signals) => void) | undefined;
  const env: LaptopEnv = {
    laptop,
    remoteBinary: { expected: async () => Promise.reject(new Error('not used')), get: async () => Promise.reject(new Error('not used')), front: async () => Promise.reject(new Error('not used')) },
    interactive: options.interactive ?? false,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    run: async (program, args) => {
      runs.push([path.basename(program), ...args].join(' '));
      if (args.includes('list') && args.includes('--json')) return { exitCode: 0, stdout: options.jobs ?? '[]' };
      return { exitCode: 0, stdout: '' };
    },
    start: (program: string, args: string[], o: StartOptions): Started => {
      let resolveExit: (code: number) => void = () => {};
      const exited = new Promise<number>((r) => (resolveExit = r));
      const end = (code: number) => resolveExit(code);
      const s: Scripted = { program, args, input: '', ended: false, killed: [], finish: end };
      started.push(s);
      setTimeout(() => (options.lines?.(s) ?? []).forEach((l) => o.onStdout(l)), 5);
      return {
        write: (t) => void (s.input += t),
        endInput: () => {
          s.ended = true;
          if (options.exitOnEnd !== undefined) setTimeout(() => end(options.exitOnEnd!), 5);
        },
        exited,
        kill: (signal = 'SIGTERM') => {
          s.killed.push(signal);
          setTimeout(() => end(128 + 15), 5);
        },
      };
    },
    onStop: (handler) => {
      stopHandler = handler;
      return () => (stopHandler = undefined);
    },
  };
  return { env, runs, started, out, err, home, stop: (s: NodeJS.Signals = 'SIGINT') => stopHandler?.(s), run: (...argv: string[]) => runLaptop(argv, env) };
}

