import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scheduleWalltimeWarnings, sessionTerminals, warningText } from '../../src/job/walltime.js';
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
    expect(sessionTerminals(100, proc)).toEqual([
      { name: '/dev/pts/3', path: `${proc}/102/fd/0` },
      { name: '/dev/pts/7', path: `${proc}/104/fd/0` },
    ]);
    expect(sessionTerminals(999, proc)).toEqual([]);
  });

  it('writes through the process\'s fd link, not the name (a container has its own /dev/pts)', async () => {
    const dir = tmp();
    const through = path.join(dir, 'fd-link-target');
    fs.writeFileSync(through, '');
    const reached: string[][] = [];
    const now = 1_000_000;
    const cancel = scheduleWalltimeWarnings({
      jobId: '42',
      profile: 'gpu',
      endTime: now + 60_000 + 20,
      before: [60],
      terminals: () => [{ name: '/dev/pts/0', path: through }],
      now: () => now,
      onWarned: (names) => reached.push(names),
    });
    await new Promise((r) => setTimeout(r, 100));
    cancel();
    expect(reached).toEqual([['/dev/pts/0']]);
    expect(fs.readFileSync(through, 'utf8')).toContain('job 42 (gpu) reaches its time limit');
  });

  it('says when the job ends and how to go on', () => {
    const end = new Date(2026, 10, 21, 14, 5).getTime();
    const text = warningText('42', 'gpu', end, end - 10 * 60_000);
    expect(text).toContain('job 42 (gpu) reaches its time limit at 14:05, in 10 minutes');
    expect(text).toContain('remote alloc gpu');
    expect(warningText('42', 'gpu', end, end - 50_000)).toContain('in 1 minute:');
  });
});
