// `remote resources`: one sinfo, one squeue, one test submission per profile
// (with the profile's real options), on one screen or as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesCommandWith, type ResourcesDeps } from '../../src/cli/commands/resources.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { captureOutput } from '../helpers/capture.js';
import { tempDirs } from '../helpers/tmp.js';
import { answered, scriptedRunner, type Call } from '../doctor/fake-deps.js';

const tmp = tempDirs('slurmhop-resources-');
const NOW = Date.parse('2026-12-06T19:00:00');
const SINFO = ['interactive*|c1|idle|0/4/0/4|(null)|gpu:0', 'gpu|c2|mixed|1/3/0/4|gpu:1|gpu:1', 'interactive*|c2|mixed|1/3/0/4|gpu:1|gpu:1'].join('\n');
const CONFIG = '[profile.cpu]\npartition = interactive\n\n[profile.gpu]\npartition = gpu\ngres = gpu:1\n\n[profile.big]\ncpus = 64\n';

function deps(calls: Call[], config = CONFIG): ResourcesDeps {
  const file = path.join(tmp(), 'config.ini');
  fs.writeFileSync(file, config);
  const run = scriptedRunner(
    {
      sinfo: () => answered(SINFO),
      squeue: () => answered('gpu\n'),
      sbatch: (args) => {
        if (args.includes('--cpus-per-task=64')) return answered('', 'sbatch: error: Batch job submission failed: Requested node configuration is not available', 1);
        const gpu = args.includes('--gres=gpu:1');
        return answered('', `sbatch: Job 9 to start at ${gpu ? '2026-12-06T19:29:40' : '2026-12-06T19:00:02'} using 1 processors on nodes ${gpu ? 'c2' : 'c1'} in partition ${gpu ? 'gpu' : 'interactive'}`);
      },
    },
    calls,
  );
  return { run, config: () => loadConfig(file), user: 'ivy', home: '/home/ivy', stateDir: '/home/ivy/.local/state/slurmhop', remoteCommand: ['/home/ivy/.local/bin/remote'], now: () => NOW };
}

describe('remote resources', () => {
  it('one screen: per partition, then per profile when its job would start, or why Slurm would not take it', async () => {
    const calls: Call[] = [];
    const io = captureOutput();
    expect(await runCli(['resources'], [resourcesCommandWith(() => deps(calls))])).toBe(EXIT.ok);
    expect(io.out()).toBe(
      [
        'PARTITION     IDLE NODES  FREE CPUS  FREE GRES   WAITING',
        'interactive*  1 of 2      7 of 8     gpu 0 of 1  0 jobs',
        'gpu           0 of 1      3 of 4     gpu 0 of 1  1 job',
        '',
        'PROFILE  PARTITION     GRES   WOULD START',
        'cpu      interactive   -      now, on c1',
        'gpu      gpu           gpu:1  in 30 min (19:29), on c2',
        'big      interactive*  -      no: Requested node configuration is not available',
        '',
      ].join('\n'),
    );
    // One sinfo and one squeue for every partition and node; each profile tested with its own options, nothing queued.
    expect(calls.filter((c) => c.command === 'sinfo')).toHaveLength(1);
    expect(calls.filter((c) => c.command === 'squeue')).toHaveLength(1);
    const tests = calls.filter((c) => c.command === 'sbatch');
    expect(tests).toHaveLength(3);
    for (const t of tests) expect(t.args).toContain('--test-only');
    expect(tests.find((t) => t.args.includes('--gres=gpu:1'))!.args).toEqual(expect.arrayContaining(['--partition=gpu', '--job-name=slurmhop-gpu', '--no-requeue']));
    expect(tests[0]!.input).toContain('job cpu');
  });

  it('--json: the same for scripts and the setup wizard', async () => {
    const io = captureOutput();
    expect(await runCli(['resources', '--json'], [resourcesCommandWith(() => deps([]))])).toBe(EXIT.ok);
    const json = JSON.parse(io.out());
    expect(json.checkedAt).toBe(new Date(NOW).toISOString());
    expect(json.partitions[1]).toEqual({ name: 'gpu', isDefault: false, nodes: { total: 1, idle: 0, usable: 1 }, cpus: { idle: 3, total: 4 }, gres: [{ name: 'gpu', type: null, free: 0, total: 1 }], pending: 1 });
    expect(json.profiles).toEqual([
      { name: 'cpu', partition: 'interactive', defaultPartition: false, gres: null, start: '2026-12-06T19:00:02', nodes: 'c1', startsNow: true, refused: null },
      { name: 'gpu', partition: 'gpu', defaultPartition: false, gres: 'gpu:1', start: '2026-12-06T19:29:40', nodes: 'c2', startsNow: false, refused: null },
      { name: 'big', partition: 'interactive', defaultPartition: true, gres: null, start: null, nodes: null, startsNow: false, refused: 'Requested node configuration is not available' },
    ]);
  });

  it('Slurm not answering: exit 4 with its words', async () => {
    const d = deps([]);
    d.run = scriptedRunner({ sinfo: () => answered('', 'slurm_load_partitions: Unable to contact slurm controller (connect failure)', 1), sbatch: () => answered('', 'sbatch: error: x', 1) });
    const io = captureOutput();
    expect(await runCli(['resources'], [resourcesCommandWith(() => d)])).toBe(EXIT.slurm);
    expect(io.err()).toContain('sinfo failed: slurm_load_partitions: Unable to contact slurm controller');
  });

  it('a config.ini with a mistake: exit 3 and its line; arguments: exit 2', async () => {
    const io = captureOutput();
    expect(await runCli(['resources'], [resourcesCommandWith(() => deps([], '[profile.x]\ncpus = many\n'))])).toBe(EXIT.config);
    expect(io.err()).toMatch(/config\.ini:2: /);
    expect(await runCli(['resources', 'gpu'], [resourcesCommandWith(() => deps([]))])).toBe(EXIT.usage);
    expect(io.err()).toContain('usage: remote resources [--json]');
  });
});
