// The laptop command's dispatch and what it runs, with the programs it starts
// (ssh, code) recorded instead of run: the arguments, the terminal flag, the
// exit codes handed back, and the errors that say what to do. The same
// commands against the real cluster and ssh: test/e2e/laptop-package.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeCluster } from '../../src/laptop/command.js';
import { LAPTOP_COMMANDS } from '../../src/laptop/commands/index.js';
import { findCode } from '../../src/laptop/commands/code.js';
import type { LaptopEnv, RunResult } from '../../src/laptop/env.js';
import { helpText, runLaptop } from '../../src/laptop/main.js';
import { cmdWord, runProgram } from '../../src/laptop/run.js';
import { plainWords } from '../../src/laptop/ssh.js';
import { SetupError, type Laptop } from '../../src/setup/index.js';
import { planSshConfig, prefixFor } from '../../src/setup/ssh-config-plan.js';
import { VERSION } from '../../src/version.js';
import { linuxLaptop } from '../setup/block-inputs.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-laptop-commands-');

interface Call {
  program: string;
  args: string[];
  capture: boolean;
}

function world(options: { clusters?: string[]; code?: boolean; interactive?: boolean; results?: Record<string, RunResult> } = {}) {
  const home = tmp();
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  if (options.code) fs.writeFileSync(path.join(bin, 'code'), '');
  let config = '';
  for (const name of options.clusters ?? ['hpc']) {
    config = planSshConfig(config, path.join(home, '.ssh/config'), { ...linuxLaptop, cluster: name, prefix: name === 'hpc' ? 'slurm' : prefixFor(name) }, name, '\n').after;
  }
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh/config'), config);
  const laptop: Laptop = { platform: 'linux', home, env: { PATH: `${bin}:/nonexistent` } };
  const calls: Call[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const env: LaptopEnv = {
    laptop,
    remoteBinary: {
      expected: async () => {
        throw new Error('not used');
      },
      get: async () => {
        throw new Error('not used');
      },
      front: async () => {
        throw new Error('not used');
      },
    },
    interactive: options.interactive ?? false,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    run: async (program, args, o = {}) => {
      calls.push({ program, args, capture: Boolean(o.capture) });
      const key = [path.basename(program), ...args].join(' ');
      return options.results?.[key] ?? { exitCode: 0, stdout: '' };
    },
    start: () => {
      throw new Error('not used');
    },
    onStop: () => () => {},
  };
  return { env, calls, out, err, bin, home, run: (...argv: string[]) => runLaptop(argv, env) };
}

describe('slurmhop: help, version, unknown commands (the conventions of "remote")', () => {
  it('help lists every command and exits 0; no command prints it and exits 2; --version', async () => {
    const w = world();
    expect(await w.run('help')).toBe(0);
    expect(w.out.join('')).toBe(`${helpText()}\n`);
    for (const name of ['setup', 'code', 'list', 'cancel', 'alloc', 'swap', 'gpuswap', 'history', 'doctor', 'cleanup', 'resources', 'jupyter', 'forward', 'clusters', 'uninstall']) {
      expect(helpText()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(await w.run()).toBe(2);
    const v = world();
    expect(await v.run('--version')).toBe(0);
    expect(v.out.join('')).toBe(`slurmhop ${VERSION}\n`);
  });

  it('an unknown command: exit 2, named, with the commands there are', async () => {
    const w = world();
    expect(await w.run('lsit')).toBe(2);
    expect(w.err.join('')).toMatch(/^slurmhop: unknown command "lsit"\nslurmhop: commands: setup, code, list, .*; see "slurmhop help"\n$/);
    expect(w.calls).toEqual([]);
  });

  it('"<command> --help" and "help <command>": what it does, its options, an example; nothing runs', async () => {
    for (const name of LAPTOP_COMMANDS.map((c) => c.name).filter((n) => n !== 'setup')) {
      const w = world();
      expect(await w.run(name, '--help')).toBe(0);
      const text = w.out.join('');
      expect(text, name).toMatch(new RegExp(`^usage: slurmhop ${name}\\b.*\\n\\n\\S[\\s\\S]*\\nExamples?:\\n  slurmhop ${name}`));
      const h = world();
      expect(await h.run('help', name)).toBe(0);
      expect(h.out.join('')).toBe(text);
      expect([...w.calls, ...h.calls]).toEqual([]);
    }
    const swap = world();
    await swap.run('swap', '--help');
    expect(swap.out.join('')).toContain('  --fresh ');
    expect(swap.out.join('')).toContain('  --cluster NAME ');
  });

  it('the general help says where TUTORIAL.md is and lists the exit codes', () => {
    expect(helpText()).toMatch(/The tutorial \(setup step by step, troubleshooting\): /);
    expect(helpText()).toContain('   10  you answered no, or interrupted the wizard');
  });
});

describe('the login node commands run remote through the login alias', () => {
  it('arguments as given, -T without a terminal, -t with one, ssh\'s own notices off, remote\'s exit code', async () => {
    const w = world({ results: { 'ssh -T -o LogLevel=ERROR hpc .local/bin/remote cancel 42': { exitCode: 3, stdout: '' } } });
    expect(await w.run('cancel', '42')).toBe(3);
    expect(w.calls).toEqual([{ program: 'ssh', args: ['-T', '-o', 'LogLevel=ERROR', 'hpc', '.local/bin/remote', 'cancel', '42'], capture: false }]);
    const t = world({ interactive: true });
    expect(await t.run('swap', 'gpu', '--fresh')).toBe(0);
    expect(t.calls[0]!.args).toEqual(['-t', '-o', 'LogLevel=ERROR', 'hpc', '.local/bin/remote', 'swap', 'gpu', '--fresh']);
  });

  it('a job that stayed pending past pending_timeout: where that setting is, and the command that opens it', async () => {
    const w = world({ results: { 'ssh -T -o LogLevel=ERROR hpc .local/bin/remote alloc gpu': { exitCode: 5, stdout: '' } } });
    expect(await w.run('alloc', 'gpu')).toBe(5);
    expect(w.err.join('')).toBe('slurmhop: pending_timeout is a setting of config.ini on the cluster (${XDG_CONFIG_HOME:-~/.config}/slurmhop/config.ini there): "slurmhop config" opens it\n');
  });

  it('with several clusters, --cluster picks one (either spelling); without it, a usage error', async () => {
    const w = world({ clusters: ['hpc', 'mila'] });
    expect(await w.run('list', '--cluster', 'mila', '--json')).toBe(0);
    expect(await w.run('history', '--cluster=hpc')).toBe(0);
    expect(await w.run('resources', '--cluster=hpc', '--json')).toBe(0);
    expect(w.calls.map((c) => c.args.join(' '))).toEqual(['-T -o LogLevel=ERROR mila .local/bin/remote list --json', '-T -o LogLevel=ERROR hpc .local/bin/remote history', '-T -o LogLevel=ERROR hpc .local/bin/remote resources --json']);
    expect(await w.run('list')).toBe(2);
    expect(w.err.join('')).toContain('several clusters are set up: hpc, mila');
  });

  it('a word a login shell would read specially is refused before ssh runs', async () => {
    const w = world();
    expect(await w.run('cancel', '42;rm')).toBe(2);
    expect(w.err.join('')).toContain('"42;rm" cannot be passed to the login node as it is');
    expect(w.calls).toEqual([]);
  });
});

describe('slurmhop code', () => {
  it('gets the job ready (remote alloc, with its progress on the terminal), then opens VS Code on host and folder', async () => {
    const w = world({ code: true, results: { 'ssh -T hpc echo $HOME': { exitCode: 0, stdout: '/home/ana\n' } } });
    expect(await w.run('code', 'gpu', 'proj/x', '--new-window')).toBe(0);
    expect(w.calls).toEqual([
      { program: 'ssh', args: ['-T', '-o', 'LogLevel=ERROR', 'hpc', '.local/bin/remote', 'alloc', 'gpu'], capture: false },
      { program: 'ssh', args: ['-T', 'hpc', 'echo $HOME'], capture: true },
      { program: path.join(w.bin, 'code'), args: ['--new-window', '--remote', 'ssh-remote+slurm-gpu', '/home/ana/proj/x'], capture: false },
    ]);
    expect(w.err.join('')).toContain('opening VS Code on slurm-gpu:/home/ana/proj/x (in a terminal: ssh slurm-gpu)');
  });

  it("~/x, which the laptop's shell turns into the laptop's home, is x in the home on the cluster", async () => {
    const w = world({ code: true, results: { 'ssh -T hpc echo $HOME': { exitCode: 0, stdout: '/home/ana\n' } } });
    expect(await w.run('code', 'cpu', `${w.home}/proj`)).toBe(0);
    expect(w.calls.at(-1)!.args.at(-1)).toBe('/home/ana/proj');
  });

  it('an absolute folder is used as given', async () => {
    const w = world({ code: true });
    expect(await w.run('code', 'cpu', '/scratch/ana')).toBe(0);
    expect(w.calls.map((c) => c.args.at(-1))).toEqual(['cpu', '/scratch/ana']);
  });

  it('the job cannot be made ready: remote\'s exit code, VS Code not started', async () => {
    const w = world({ code: true, results: { 'ssh -T -o LogLevel=ERROR hpc .local/bin/remote alloc gpu': { exitCode: 4, stdout: '' } } });
    expect(await w.run('code', 'gpu')).toBe(4);
    expect(w.calls).toHaveLength(1);
  });

  it('no "code" on PATH: exit 11 before any job is submitted; says how to get it, and what works without it', async () => {
    const w = world({ code: false });
    expect(await w.run('code', 'cpu')).toBe(11);
    expect(w.calls).toEqual([]);
    const text = w.err.join('');
    expect(text).toContain('VS Code\'s "code" command is not on PATH: no job was submitted');
    expect(text).toContain('Remote-SSH: Connect to Host... > slurm-cpu');
    expect(text).toContain('in a terminal, "ssh slurm-cpu" lands on the job');
  });

  it('a profile setup did not configure: named, with the ones there are', async () => {
    const w = world({ code: true });
    expect(await w.run('code', 'tpu')).toBe(2);
    expect(w.err.join('')).toContain('cluster hpc has no profile "tpu" (it has cpu, gpu)');
    expect(w.calls).toEqual([]);
  });
});

describe('helpers', () => {
  it('takeCluster', () => {
    expect(takeCluster(['a', '--cluster', 'x', 'b'])).toEqual({ cluster: 'x', rest: ['a', 'b'] });
    expect(takeCluster(['--cluster=y'])).toEqual({ cluster: 'y', rest: [] });
  });

  it('plainWords passes what no shell reads specially', () => {
    expect(plainWords(['gpu', '--fresh', '12345', 'a=b,c:d/e@f%g+h'])).toHaveLength(4);
    for (const bad of ['$HOME', 'a b', "'", '*', '~', '`x`', 'a|b', '']) expect(() => plainWords([bad])).toThrow(SetupError);
  });

  it('findCode: PATH on Linux and Windows (code.cmd), the app bundle on macOS', () => {
    const has = (files: string[]) => (f: string) => files.includes(f);
    expect(findCode({ platform: 'linux', home: '/h', env: { PATH: '/a:/usr/bin' } }, has(['/usr/bin/code']))).toBe('/usr/bin/code');
    expect(findCode({ platform: 'linux', home: '/h', env: { PATH: '/a' } }, has(['/usr/bin/code']))).toBeUndefined();
    const win = 'C:\\Users\\ana\\AppData\\Local\\Programs\\Microsoft VS Code\\bin';
    expect(findCode({ platform: 'win32', home: 'C:\\Users\\ana', env: { Path: `C:\\Windows;${win}` } }, has([`${win}\\code.cmd`]))).toBe(`${win}\\code.cmd`);
    const mac = '/Applications/Visual Studio Code.app/Contents/Resources/app/bin/code';
    expect(findCode({ platform: 'darwin', home: '/Users/ana', env: { PATH: '/usr/bin' } }, has([mac]))).toBe(mac);
  });
});

describe('starting programs', () => {
  it('cmdWord: words for cmd.exe (VS Code\'s code.cmd on Windows)', () => {
    expect(cmdWord('ssh-remote+slurm-gpu')).toBe('ssh-remote+slurm-gpu');
    expect(cmdWord('C:\\Program Files\\Microsoft VS Code\\bin\\code.cmd')).toBe('"C:\\Program Files\\Microsoft VS Code\\bin\\code.cmd"');
    expect(cmdWord('/home/ana/my project')).toBe('"/home/ana/my project"');
    expect(cmdWord('a&b')).toBe('"a&b"');
    for (const bad of ['a"b', '%PATH%', 'x!y']) expect(() => cmdWord(bad)).toThrow(SetupError);
  });

  it('runProgram: exit codes, captured output, -1 for a program that is not there', async () => {
    expect(await runProgram('sh', ['-c', 'echo hi; exit 3'], { capture: true })).toEqual({ exitCode: 3, stdout: 'hi' });
    expect((await runProgram('/nonexistent/prog', [], { capture: true })).exitCode).toBe(-1);
  });
});
