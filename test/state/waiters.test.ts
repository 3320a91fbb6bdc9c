import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { joinWaiters } from '../../src/state/waiters.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-waiters-');

describe('waiters of a job', () => {
  it('the last one to leave is told so; a dead waiter does not count', async () => {
    const state = tmp();
    const dir = path.join(state, 'jobs', '9', 'waiters');
    const me = joinWaiters(state, '9');
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
    fs.writeFileSync(path.join(dir, `${os.hostname()}--${deadPid}`), '');
    fs.writeFileSync(path.join(dir, `${os.hostname()}--${process.ppid}`), '');
    expect(me.leave()).toBe(false); // our parent process is alive and "waiting"
    fs.rmSync(path.join(dir, `${os.hostname()}--${process.ppid}`));
    const again = joinWaiters(state, '9');
    expect(again.leave()).toBe(true);
  });

  it('a waiter on another login node counts while its file is fresh', () => {
    const state = tmp();
    const me = joinWaiters(state, '9');
    const other = path.join(state, 'jobs', '9', 'waiters', 'login2--123');
    fs.writeFileSync(other, '');
    expect(me.leave()).toBe(false);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(other, old, old);
    expect(joinWaiters(state, '9').leave()).toBe(true);
  });

  it("judges another login node's waiter by file times alone: this host's clock an hour off changes nothing", () => {
    const state = tmp();
    const me = joinWaiters(state, '9');
    fs.writeFileSync(path.join(state, 'jobs', '9', 'waiters', 'login2--123'), '0\n');
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000);
    expect(me.leave()).toBe(false);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
