import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, withLock } from '../../src/state/lock.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-lock-');

describe('lock file', () => {
  it('serialises holders: no two bodies overlap', async () => {
    const file = path.join(tmp(), 'locks', 'cpu.lock');
    let inside = 0;
    let maxInside = 0;
    const body = async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    };
    await Promise.all(Array.from({ length: 8 }, () => withLock(file, body)));
    expect(maxInside).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes over a lock whose holder process died', async () => {
    const file = path.join(tmp(), 'cpu.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    fs.writeFileSync(file, JSON.stringify({ host: os.hostname(), pid: deadPid }));
    const release = await acquireLock(file, { timeoutMs: 2_000 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('times out with a state error while a live holder keeps it', async () => {
    const file = path.join(tmp(), 'cpu.lock');
    fs.writeFileSync(file, JSON.stringify({ host: os.hostname(), pid: process.ppid }));
    await expect(acquireLock(file, { timeoutMs: 300 })).rejects.toMatchObject({ kind: 'state', message: expect.stringContaining(file) });
    expect(fs.existsSync(file)).toBe(true);
  });

  it('does not remove a lock that another holder took over', async () => {
    const file = path.join(tmp(), 'cpu.lock');
    const release = await acquireLock(file);
    fs.writeFileSync(file, JSON.stringify({ host: 'elsewhere', pid: 1 }));
    release();
    expect(fs.existsSync(file)).toBe(true);
  });
});
