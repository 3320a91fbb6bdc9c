import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { checkSlurm, checkSubmission, defaultProfileName, withDeadline } from '../../src/doctor/index.js';
import { SlurmhopError } from '../../src/errors.js';
import { tempDirs } from '../helpers/tmp.js';
import { answered, fakeHome, scriptedRunner, type Call } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-slurm-');

describe('doctor: Slurm answers (scripted runner; the real Slurm: test/e2e)', () => {
  it('sinfo and squeue answer: ok, with the partitions and the user\'s jobs', async () => {
    const deps = fakeHome(tmp());
    const { result, reachable } = await checkSlurm(deps);
    expect(reachable).toBe(true);
    expect(result).toEqual({ name: 'Slurm', status: 'ok', summary: 'sinfo: partitions interactive*, gpu; squeue: 2 jobs of yours (1 slurmhop)' });
    expect(deps.calls.map((c) => c.command)).toEqual(['sinfo', 'squeue']);
    expect(deps.calls[1]!.args).toContain('--user=hal');
  });

  it('not on PATH: fails with where to run it', async () => {
    const run = async () => {
      throw new SlurmhopError('slurm', 'sinfo was not found on PATH', 'run this on a Slurm login node (or add Slurm to PATH)');
    };
    const { result, reachable } = await checkSlurm({ ...fakeHome(tmp()), run });
    expect(reachable).toBe(false);
    expect(result).toEqual({ name: 'Slurm', status: 'fail', summary: 'sinfo was not found on PATH', fix: 'run this on a Slurm login node (or add Slurm to PATH)' });
  });

  it('slurmctld down: sinfo\'s message, and how to find out more', async () => {
    const run = scriptedRunner({ sinfo: () => answered('', 'slurm_load_partitions: Unable to contact slurm controller (connect failure)', 1) });
    const { result } = await checkSlurm({ ...fakeHome(tmp()), run });
    expect(result).toMatchObject({ status: 'fail', summary: 'sinfo failed: slurm_load_partitions: Unable to contact slurm controller (connect failure)' });
    expect(result.fix).toContain('scontrol ping');
  });

  it('no answer within the deadline: fails instead of hanging', async () => {
    const run = withDeadline(() => new Promise(() => {}), 50);
    const { result } = await checkSlurm({ ...fakeHome(tmp()), run });
    expect(result).toMatchObject({ status: 'fail', summary: 'sinfo did not answer within 0.05s (is slurmctld busy or down?)' });
  });
});

describe('doctor: the test submission (sbatch --test-only)', () => {
  it('the default profile (cpu, else the first) with its real options and job script', async () => {
    const deps = fakeHome(tmp());
    const config = loadConfig(deps.configFile);
    const r = await checkSubmission(deps, config, true);
    expect(r.status).toBe('ok');
    expect(r.summary).toBe('profile cpu, sbatch --test-only (no job is queued): would start at 2025-01-01T00:00:00 using 1 processors on nodes c1 in partition interactive');
    const [call] = deps.calls;
    expect(call!.command).toBe('sbatch');
    expect(call!.args).toEqual(['--job-name=slurmhop-cpu', `--output=${deps.stateDir}/logs/%j.out`, `--chdir=${deps.home}`, '--no-requeue', '--propagate=NONE', '--test-only']);
    expect(call!.input).toContain(`${deps.remoteCommand[0]} job cpu`);
    expect(r.details).toEqual([`sbatch ${call!.args.join(' ')}`]);

    fs.mkdirSync(path.dirname(deps.configFile), { recursive: true });
    fs.writeFileSync(deps.configFile, '[profile.big]\nmem = 64G\n\n[profile.small]\n');
    expect(defaultProfileName(loadConfig(deps.configFile))).toBe('big');
  });

  it('a profile Slurm refuses: fails with sbatch\'s words and where to fix it', async () => {
    const calls: Call[] = [];
    const deps = { ...fakeHome(tmp()), run: scriptedRunner({ sbatch: () => answered('', 'sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified', 1) }, calls) };
    fs.mkdirSync(path.dirname(deps.configFile), { recursive: true });
    fs.writeFileSync(deps.configFile, '[profile.cpu]\npartition = nope\n');
    const r = await checkSubmission(deps, loadConfig(deps.configFile), true);
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'profile cpu: sbatch refused it: error: invalid partition specified: nope; error: Batch job submission failed: Invalid partition name specified',
      fix: `fix [profile.cpu] in ${deps.configFile} (partition, account, qos, time, gres, sbatch_args); "sinfo -s" lists the partitions`,
    });
    expect(calls[0]!.args).toContain('--partition=nope');
  });

  it('--profile chooses another; an unknown one fails with the known ones', async () => {
    const deps = fakeHome(tmp());
    const config = loadConfig(deps.configFile);
    expect((await checkSubmission(deps, config, true, 'gpu')).summary).toMatch(/^profile gpu, sbatch --test-only /);
    expect(deps.calls[0]!.args).toContain('--gres=gpu:1');
    const r = await checkSubmission(deps, config, true, 'huge');
    expect(r).toMatchObject({ status: 'fail' });
    expect(r.summary).toContain('unknown profile "huge"');
  });

  it('not run when config.ini does not load or Slurm does not answer (a warning: the cause is failed above)', async () => {
    const deps = fakeHome(tmp());
    expect(await checkSubmission(deps, undefined, true)).toMatchObject({ status: 'warn', summary: 'not run: config.ini does not load (see above)' });
    expect(await checkSubmission(deps, loadConfig(deps.configFile), false)).toMatchObject({ status: 'warn', summary: 'not run: Slurm does not answer (see above)' });
    expect(deps.calls).toEqual([]);
  });
});
