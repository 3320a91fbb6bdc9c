import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommandWith } from '../../src/cli/commands/doctor.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/main.js';
import { formatResult, runDoctor, summaryLine, type DoctorDeps } from '../../src/doctor/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';
import { captureOutput } from '../helpers/capture.js';

const tmp = tempDirs('slurmhop-doctor-cli-');
afterEach(() => vi.restoreAllMocks());

const capture = captureOutput;

const commands = (deps: DoctorDeps) => [doctorCommandWith(() => deps)];

describe('remote doctor', () => {
  it('every check in order, the state directory first; nothing in the state directory changes', async () => {
    const deps = fakeHome(tmp());
    fs.mkdirSync(deps.stateDir, { recursive: true, mode: 0o755 });
    fs.chmodSync(deps.stateDir, 0o755);
    const results = await runDoctor(deps);
    expect(results.map((r) => r.name)).toEqual(['state directory', 'home directory', 'version', 'config', 'host key', 'authorized_keys', 'Slurm', 'test submission', 'updates']);
    expect(fs.statSync(deps.stateDir).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(deps.stateDir)).toEqual([]);
  });

  it('a healthy setup: exit 0 and a summary (a host key not created yet is a warning)', async () => {
    const io = capture();
    expect(await runCli(['doctor'], commands(fakeHome(tmp())))).toBe(EXIT.ok);
    expect(io.out()).toMatch(/^ok {4}state directory /);
    expect(io.out()).toContain('\nwarn  host key ');
    expect(io.out().trim().split('\n').at(-1)).toBe('all 9 checks passed (1 warning)');
    expect(io.err()).toBe('');
  });

  it('a failure: FAIL with the fix under it, and exit code 12 (doctor-failed)', async () => {
    const deps = fakeHome(tmp());
    fs.mkdirSync(path.dirname(deps.configFile), { recursive: true });
    fs.writeFileSync(deps.configFile, '[profile.cpu]\n[profile.cpu]\n');
    const io = capture();
    expect(await runCli(['doctor'], commands(deps))).toBe(EXIT['doctor-failed']);
    expect(EXIT['doctor-failed']).toBe(12);
    expect(io.out()).toContain(`FAIL  config           ${deps.configFile}:2: section [profile.cpu] appears twice\n                       fix: merge the two sections into one (in ${deps.configFile}); nothing is submitted until it loads\n`);
    expect(io.out()).toContain('warn  test submission  not run: config.ini does not load (see above)');
    expect(io.err()).toBe('slurmhop: 1 of 9 checks failed, 3 warnings: the fix is under each\n');
  });

  it('--profile picks the test submission\'s profile; arguments are refused', async () => {
    const deps = fakeHome(tmp());
    capture();
    expect(await runCli(['doctor', '--profile', 'gpu'], commands(deps))).toBe(EXIT.ok);
    expect(deps.calls.find((c) => c.command === 'sbatch')!.args).toContain('--gres=gpu:1');
    expect(await runCli(['doctor', 'now'], commands(deps))).toBe(EXIT.usage);
  });

  it('lines: status, name, summary; details and the fix indented under it; a multi-line message continues there', () => {
    expect(formatResult({ name: 'Slurm', status: 'fail', summary: 'sinfo failed: a\nb', fix: 'do this', details: ['more'] })).toEqual([
      'FAIL  Slurm            sinfo failed: a',
      '                       b',
      '                       more',
      '                       fix: do this',
    ]);
    expect(summaryLine([{ name: 'a', status: 'ok', summary: '' }, { name: 'b', status: 'warn', summary: '' }])).toBe('all 2 checks passed (1 warning)');
  });
});
