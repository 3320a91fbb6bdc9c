import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/log.js';
import { followProgress, PROGRESS_MARK } from '../../src/session/job-progress.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-progress-');

describe("a starting job's progress lines", () => {
  it('are the "preparing" events of the job, each shown once, also when a line arrives in pieces', () => {
    const file = path.join(tmp(), '7.out');
    const poll = followProgress(file);
    expect(poll()).toEqual([]); // no output yet
    const line = `slurmhop: ${formatEvent({ type: 'preparing', message: 'enroot imports docker://ubuntu:24.04 (once: later jobs reuse it)' })}\n`;
    expect(line.startsWith(PROGRESS_MARK)).toBe(true);
    fs.writeFileSync(file, `slurmhop: job 7 (ctr) started on c1\n${line.slice(0, 20)}`);
    expect(poll()).toEqual([]);
    fs.appendFileSync(file, `${line.slice(20)}some output of env_setup\n`);
    expect(poll()).toEqual(['enroot imports docker://ubuntu:24.04 (once: later jobs reuse it)']);
    expect(poll()).toEqual([]);
  });
});
