// The lock raced for real: many processes, a stale lock, holders on "other
// login nodes" whose clocks are off. Each holder logs enter/exit; two holders
// at once show as an enter inside another's holding.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tryLock } from '../../src/state/lock.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-lock-race-');
const ROOT = path.resolve(import.meta.dirname, '../..');
const HOLDER = path.join(ROOT, 'test/state/lock-holder.ts');

interface HolderOptions {
  host?: string;
  staleAfterMs?: number;
  refreshMs?: number;
  clockOffsetMs?: number;
  dieHolding?: boolean;
}

function holder(lock: string, log: string, rounds: number, holdMs: number, options: HolderOptions = {}) {
  // One process per holder (tsx's own launcher would leave its child running when killed).
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, lock, log, String(rounds), String(holdMs), JSON.stringify(options)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`holder exited with ${code ?? signal}: ${stderr}`)))),
  );
  return { child, done };
}

/** The holdings in log order; throws on an enter inside another holding. */
function holdings(log: string): string[] {
  let inside: string | undefined;
  const who: string[] = [];
  for (const line of fs.readFileSync(log, 'utf8').trim().split('\n')) {
    const [what, id] = line.split(' ');
    if (what === 'enter') {
      if (inside) throw new Error(`${id} entered while ${inside} held the lock`);
      inside = id;
      who.push(id!);
    } else {
      if (inside !== id) throw new Error(`${id} left a holding it did not have`);
      inside = undefined;
    }
  }
  return who;
}

/** A pid that is certainly not running: above Linux's pid_max. */
const DEAD_PID = 4_194_305;

describe('the lock under real races', { timeout: 120_000 }, () => {
  it('twelve processes race over a lock left by a dead process on this host: one holder at a time, every holding happens', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'cpu.lock');
    const log = path.join(dir, 'log');
    fs.writeFileSync(lock, JSON.stringify({ host: os.hostname(), pid: DEAD_PID, nonce: 'dead', since: 'then' }));
    const all = Array.from({ length: 12 }, () => holder(lock, log, 3, 10));
    await Promise.all(all.map((h) => h.done));
    expect(holdings(log)).toHaveLength(36);
    expect(fs.readdirSync(dir).sort()).toEqual(['log']); // no lock, break lock or temporary file left
  });

  it('sixteen processes that each die holding the lock: every one of them is taken over by exactly one other', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'cpu.lock');
    const log = path.join(dir, 'log');
    const all = Array.from({ length: 16 }, () => holder(lock, log, 1, 5, { dieHolding: true }));
    await Promise.all(all.map((h) => h.done));
    expect(new Set(holdings(log)).size).toBe(16);
  });

  it('a live holder on another host whose clock is an hour behind is never taken over, however old its file times look', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'cpu.lock');
    const log = path.join(dir, 'log');
    const slow = holder(lock, log, 1, 3_000, { host: 'login2', refreshMs: 100, clockOffsetMs: -3_600_000 });
    await waitFor(() => fs.existsSync(log));
    const others = Array.from({ length: 4 }, () => holder(lock, log, 1, 10, { staleAfterMs: 1_000 }));
    await Promise.all([slow, ...others].map((h) => h.done));
    const who = holdings(log);
    expect(who).toHaveLength(5);
    expect(who[0]).toMatch(/^login2\//);
  });

  it('a dead holder on another host whose file time is a day ahead is taken over once its time stops changing', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'cpu.lock');
    const log = path.join(dir, 'log');
    fs.writeFileSync(lock, JSON.stringify({ host: 'login3', pid: 1234, nonce: 'gone', since: 'then' }));
    const tomorrow = new Date(Date.now() + 86_400_000);
    fs.utimesSync(lock, tomorrow, tomorrow);
    const started = Date.now();
    const all = Array.from({ length: 6 }, () => holder(lock, log, 2, 10, { staleAfterMs: 1_000 }));
    await Promise.all(all.map((h) => h.done));
    expect(holdings(log)).toHaveLength(12);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a holder that is killed mid-holding is replaced; a command that never waits judges it over several runs', async () => {
    const dir = tmp();
    const lock = path.join(dir, 'update.lock');
    const log = path.join(dir, 'log');
    const killed = holder(lock, log, 1, 60_000, { host: 'login4', refreshMs: 100 });
    await waitFor(() => fs.existsSync(log));
    killed.child.kill('SIGKILL');
    await killed.done.catch(() => {});
    const first = tryLock(lock, { staleAfterMs: 500 });
    expect(first).toMatchObject({ heldBy: { host: 'login4' } });
    await new Promise((r) => setTimeout(r, 700));
    const second = tryLock(lock, { staleAfterMs: 500 });
    expect('release' in second).toBe(true);
    if ('release' in second) second.release();
    expect(fs.readdirSync(dir).sort()).toEqual(['log']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
