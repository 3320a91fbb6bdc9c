import { describe, expect, it } from 'vitest';
import { gresNames, parseJobResources, parseSbatchOutput, parseSqueue } from '../../src/slurm/index.js';
import { SQUEUE_FORMAT } from '../../src/slurm/squeue.js';

describe('squeue output', () => {
  it('uses a format whose only free-text field (reason) comes last', () => {
    expect(SQUEUE_FORMAT.split('|').at(-1)).toBe('%r');
  });

  it('parses running and pending jobs, with N/A start times and odd reasons', () => {
    const out = [
      '41|slurmhop-cpu|RUNNING|c1|2026-11-21T06:10:02|1:02|8:00:00|7:58:58|interactive|2026-11-21T14:10:02|None',
      '42|slurmhop-gpu|PENDING||2026-11-21T07:00:00|0:00|1:00:00|1:00:00|gpu|2026-11-21T08:00:00|Resources',
      '43|other|PENDING||N/A|0:00|UNLIMITED|UNLIMITED|gpu|N/A|ReqNodeNotAvail, UnavailableNodes:c2|x',
      '',
    ].join('\n');
    const [run, pend, odd] = parseSqueue(out);
    expect(run).toMatchObject({ id: '41', name: 'slurmhop-cpu', state: 'RUNNING', nodes: 'c1', timeUsed: '1:02', timeLimit: '8:00:00', partition: 'interactive', reason: 'None' });
    expect(run!.endTime).toBe('2026-11-21T14:10:02');
    expect(pend).toMatchObject({ state: 'PENDING', nodes: '', startTime: '2026-11-21T07:00:00', reason: 'Resources' });
    expect(odd!.startTime).toBeUndefined();
    expect(odd!.endTime).toBeUndefined();
    expect(odd!.reason).toBe('ReqNodeNotAvail, UnavailableNodes:c2|x');
  });

  it('parses nothing from empty output', () => {
    expect(parseSqueue('')).toEqual([]);
  });
});

describe('sbatch --parsable', () => {
  it('takes the job id, with or without a cluster name', () => {
    expect(parseSbatchOutput('123\n')).toBe('123');
    expect(parseSbatchOutput('124;cluster2')).toBe('124');
    expect(parseSbatchOutput('sbatch: warning: something\n125')).toBe('125');
  });
  it('rejects output without a job id', () => {
    expect(() => parseSbatchOutput('Submitted batch job')).toThrow(/no job id/);
  });
});

describe('what jobs ask for (squeue %b, tres-per-node)', () => {
  it('reads the GRES names whichever Slurm wrote them', () => {
    expect(gresNames('gpu:1')).toEqual(['gpu']); // before 21.08
    expect(gresNames('gres:gpu:a100:2')).toEqual(['gpu']); // 21.08 to 23.02
    expect(gresNames('gres/gpu:2')).toEqual(['gpu']); // later
    expect(gresNames('gres/gpu:1,gres/nic:1')).toEqual(['gpu', 'nic']);
    expect(gresNames('N/A')).toEqual([]);
    expect(gresNames('(null)')).toEqual([]);
    expect(gresNames('')).toEqual([]);
    expect(gresNames('license/matlab:1')).toEqual([]);
  });

  it('parses jobs with several partitions and a reason with | in it', () => {
    const [a, b] = parseJobResources('7|train|RUNNING|gpu,gpu-long|c3|gres:gpu:2|None\n8|x|PENDING|gpu||N/A|ReqNodeNotAvail, UnavailableNodes:c2|y\n');
    expect(a).toEqual({ id: '7', name: 'train', state: 'RUNNING', partitions: ['gpu', 'gpu-long'], nodes: 'c3', gres: ['gpu'], reason: 'None' });
    expect(b).toMatchObject({ nodes: '', gres: [], reason: 'ReqNodeNotAvail, UnavailableNodes:c2|y' });
  });
});
