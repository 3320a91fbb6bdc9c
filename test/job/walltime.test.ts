import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionTerminals, warningText } from '../../src/job/walltime.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-proc-');

/** A fake /proc: pid -> [ppid, command, fd targets]. */
function fakeProc(processes: Record<number, [number, string, string[]]>): string {
  const dir = tmp();
  for (const [pid, [ppid, comm, fds]] of Object.entries(processes)) {
    fs.mkdirSync(path.join(dir, pid, 'fd'), { recursive: true });
    fs.writeFileSync(path.join(dir, pid, 'stat'), `${pid} (${comm}) S ${ppid} 1 1 0 -1\n`);
    fds.forEach((target, i) => fs.symlinkSync(target, path.join(dir, pid, 'fd', String(i))));
  }
  return dir;
}

describe('walltime warnings', () => {
  it('finds the terminals of the sshd\'s descendants only', () => {
    const proc = fakeProc({
      100: [1, 'sshd', ['/dev/null', '/dev/null', '/dev/null']],
      101: [100, 'sshd: ada [priv]', ['/dev/null']],
      102: [101, 'bash', ['/dev/pts/3', '/dev/pts/3', '/dev/pts/3']],
      103: [102, 'vim (my file)', ['/dev/pts/3']],
      104: [101, 'sh', ['/dev/pts/7']],
      200: [1, 'other', ['/dev/pts/9']],
    });
    expect(sessionTerminals(100, proc)).toEqual(['/dev/pts/3', '/dev/pts/7']);
    expect(sessionTerminals(999, proc)).toEqual([]);
  });

  it('says when the job ends and how to go on', () => {
    const end = new Date(2026, 10, 21, 14, 5).getTime();
    const text = warningText('42', 'gpu', end, end - 10 * 60_000);
    expect(text).toContain('job 42 (gpu) reaches its time limit at 14:05, in 10 minutes');
    expect(text).toContain('remote alloc gpu');
    expect(warningText('42', 'gpu', end, end - 50_000)).toContain('in 1 minute:');
  });
});
