import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Command } from '../../src/command.js';
import { EXIT, EXIT_DESCRIPTIONS } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { choose } from '../../src/cli/commands/cancel.js';
import { SlurmhopError } from '../../src/errors.js';
import type { SessionJob } from '../../src/session/index.js';
import { captureOutput } from '../helpers/capture.js';

const capture = captureOutput;
afterEach(() => vi.restoreAllMocks());

describe('exit codes', () => {
  it('are distinct and never ssh\'s own 1 or 255', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).not.toContain(1);
    expect(codes).not.toContain(255);
    expect(EXIT_DESCRIPTIONS.map(([c]) => c).sort()).toEqual([...codes].sort());
  });
});

describe('the command line', () => {
  it('help lists the public commands and the exit codes, not internal ones', async () => {
    const io = capture();
    expect(await runCli(['help'])).toBe(0);
    expect(io.out()).toContain('remote proxy <profile>');
    expect(io.out()).toContain('remote cancel [<profile>|<jobid>|--all]');
    expect(io.out()).toMatch(/\n\s+5 {2}the job stayed pending/);
    expect(io.out()).not.toContain('remote job');
  });

  it('an unknown command is a usage error that lists the commands', async () => {
    const io = capture();
    expect(await runCli(['conect'])).toBe(EXIT.usage);
    expect(io.err()).toContain('unknown command "conect"');
    expect(io.err()).toContain('proxy, list, cancel');
    expect(io.out()).toBe('');
  });

  it('an unknown option names itself and the usage', async () => {
    const io = capture();
    expect(await runCli(['list', '--jsn'])).toBe(EXIT.usage);
    expect(io.err()).toContain("'--jsn'");
    expect(io.err()).toContain('usage: remote list [--json]');
  });

  it('proxy without a profile is a usage error', async () => {
    capture();
    expect(await runCli(['proxy'])).toBe(EXIT.usage);
  });

  it('maps typed errors to their exit code, with the hint on its own line', async () => {
    const io = capture();
    const failing: Command = { name: 'x', summary: '', usage: 'remote x', run: async () => { throw new SlurmhopError('pending-timeout', 'too slow', 'wait less'); } };
    expect(await runCli(['x'], [failing])).toBe(EXIT['pending-timeout']);
    expect(io.err()).toBe('slurmhop: too slow\nslurmhop: wait less\n');
  });

  it('an unexpected error is an internal error (70), never 1', async () => {
    const io = capture();
    const broken: Command = { name: 'x', summary: '', usage: 'remote x', run: async () => { throw new TypeError('oops'); } };
    expect(await runCli(['x'], [broken])).toBe(EXIT.internal);
    expect(io.err()).toContain('internal error');
  });

  it('in stream mode console output goes to stderr', async () => {
    const io = capture();
    const saved = { log: console.log, info: console.info, debug: console.debug, dir: console.dir, table: console.table };
    const toStderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stream: Command = { name: 's', summary: '', usage: 'remote s', stdoutIsStream: true, run: async () => { console.log('stray'); console.info('info'); } };
    try {
      await runCli(['s'], [stream]);
    } finally {
      Object.assign(console, saved);
    }
    expect(io.out()).toBe('');
    expect(toStderr).toHaveBeenCalledWith('stray');
    expect(toStderr).toHaveBeenCalledWith('info');
  });

  it('every command has a usage starting with "remote <name>"', () => {
    for (const c of COMMANDS) expect(c.usage.startsWith(`remote ${c.name}`)).toBe(true);
  });
});

describe('remote cancel chooses only this user\'s slurmhop jobs', () => {
  const job = (id: string, profile: string): SessionJob =>
    ({ id, profile, name: `slurmhop-${profile}`, state: 'RUNNING', nodes: 'c1', timeUsed: '', timeLimit: '', timeLeft: '', partition: 'p', reason: 'None' }) as SessionJob;
  const jobs = [job('1', 'cpu'), job('2', 'gpu'), job('3', 'cpu')];

  it('by profile, by id, all, or the only one', () => {
    expect(choose(jobs, 'cpu', false).map((j) => j.id)).toEqual(['1', '3']);
    expect(choose(jobs, '2', false).map((j) => j.id)).toEqual(['2']);
    expect(choose(jobs, undefined, true)).toHaveLength(3);
    expect(choose([job('9', 'cpu')], undefined, false).map((j) => j.id)).toEqual(['9']);
    expect(choose(jobs, 'none', false)).toEqual([]);
  });

  it('refuses a job id that is not one of them, and guessing among several', () => {
    expect(() => choose(jobs, '77', false)).toThrow(/job 77 is not one of your slurmhop jobs/);
    expect(() => choose(jobs, undefined, false)).toThrow(/you have 3 slurmhop jobs/);
  });
});
