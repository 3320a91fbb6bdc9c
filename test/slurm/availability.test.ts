// What is free now: sinfo's nodes and generic resources as each Slurm writes
// them, which nodes can take a job, the summary per partition, and what
// `sbatch --test-only` says.
import { describe, expect, it } from 'vitest';
import { parseGres, parseSinfo, parseTestOnly, summarize, usableNow } from '../../src/slurm/index.js';

describe('generic resources as sinfo writes them', () => {
  it('untyped, typed, several kinds, sockets and indexes in parentheses, counts with a unit', () => {
    expect(parseGres('gpu:1')).toEqual([{ name: 'gpu', type: undefined, count: 1 }]);
    expect(parseGres('gpu:a100:4(S:0-1)')).toEqual([{ name: 'gpu', type: 'a100', count: 4 }]);
    expect(parseGres('gpu:a100:2(IDX:0-1),gpu:v100:0(IDX:N/A),mps:200')).toEqual([
      { name: 'gpu', type: 'a100', count: 2 },
      { name: 'gpu', type: 'v100', count: 0 },
      { name: 'mps', type: undefined, count: 200 },
    ]);
    expect(parseGres('gpu:h100:8(S:0,1),shard:1K')).toEqual([
      { name: 'gpu', type: 'h100', count: 8 },
      { name: 'shard', type: undefined, count: 1024 },
    ]);
  });

  it('none: (null), N/A, empty; an older Slurm\'s "gpu:(null):0" is an untyped count', () => {
    for (const none of ['(null)', 'N/A', '', ' ']) expect(parseGres(none)).toEqual([]);
    expect(parseGres('gpu:(null):0')).toEqual([{ name: 'gpu', type: undefined, count: 0 }]);
  });
});

describe('sinfo --Node --Format', () => {
  it("reads Slurm 22.05's lines (taken from the local cluster): the default partition, a node in two partitions", () => {
    const rows = parseSinfo('interactive*|c1|idle|0/4/0/4|(null)|gpu:0\ngpu|c2|mixed|1/3/0/4|gpu:1|gpu:1\ninteractive*|c2|mixed|1/3/0/4|gpu:1|gpu:1\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ partition: 'interactive', isDefault: true, node: 'c1', state: 'idle', cpus: { allocated: 0, idle: 4, other: 0, total: 4 }, gres: [], gresUsed: [{ name: 'gpu', type: undefined, count: 0 }] });
    expect(rows[1]).toMatchObject({ partition: 'gpu', isDefault: false, node: 'c2', state: 'mixed', gres: [{ name: 'gpu', count: 1 }], gresUsed: [{ name: 'gpu', count: 1 }] });
  });

  it('a node can take a job now when idle or mixed, powered down to save energy included; not when down, draining, not responding or planned', () => {
    for (const s of ['idle', 'mixed', 'idle~']) expect(usableNow(s)).toBe(true);
    for (const s of ['allocated', 'down*', 'idle*', 'drained', 'draining', 'mixed-', 'idle#', 'reserved', 'maint', 'idle+drain', 'completing', 'unknown', 'planned', 'mixed@']) expect(usableNow(s)).toBe(false);
  });
});

describe('per partition', () => {
  it('idle nodes, free CPUs and free GPUs per type on nodes that can take a job; totals over all; waiting jobs of everyone', () => {
    const rows = parseSinfo(
      [
        'gpu|g1|mixed|8/56/0/64|gpu:a100:4(S:0-1)|gpu:a100:3(IDX:0-2)',
        'gpu|g2|idle|0/64/0/64|gpu:a100:4(S:0-1)|gpu:a100:0(IDX:N/A)',
        'gpu|g3|drained|0/0/64/64|gpu:v100:2,gpu:a100:2|gpu:v100:0,gpu:a100:0',
        'gpu|g4|idle|0/32/0/32|gpu:v100:2|gpu:1',
        'cpu*|n1|allocated|32/0/0/32|(null)|gpu:0',
        'cpu*|n2|idle~|0/32/0/32|(null)|gpu:0',
      ].join('\n'),
    );
    const [gpu, cpu] = summarize(rows, ['gpu', 'gpu,cpu', 'cpu', 'debug']);
    expect(gpu).toEqual({
      name: 'gpu',
      isDefault: false,
      nodes: { total: 4, idle: 2, usable: 3 },
      cpus: { idle: 152, total: 224 },
      gres: [
        { name: 'gpu', type: 'a100', free: 5, total: 10 },
        { name: 'gpu', type: 'v100', free: 1, total: 4 },
      ],
      pending: 2,
    });
    expect(cpu).toEqual({ name: 'cpu', isDefault: true, nodes: { total: 2, idle: 1, usable: 1 }, cpus: { idle: 32, total: 64 }, gres: [], pending: 2 });
  });
});

describe('sbatch --test-only', () => {
  it('when and where it would start', () => {
    expect(parseTestOnly({ exitCode: 0, stdout: '', stderr: 'sbatch: Job 84 to start at 2026-12-06T19:09:48 using 1 processors on nodes c2 in partition gpu' })).toEqual({ start: '2026-12-06T19:09:48', nodes: 'c2', partition: 'gpu' });
  });

  it("what Slurm refuses, in its own words", () => {
    expect(parseTestOnly({ exitCode: 1, stdout: '', stderr: 'allocation failure: Requested node configuration is not available' })).toEqual({ refused: 'allocation failure: Requested node configuration is not available' });
    expect(parseTestOnly({ exitCode: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified' })).toEqual({ refused: 'Invalid partition name specified' });
    expect(parseTestOnly({ exitCode: 1, stdout: '', stderr: '' })).toEqual({ refused: 'exit code 1' });
  });
});
