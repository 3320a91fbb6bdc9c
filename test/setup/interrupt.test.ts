// Ctrl-C in the middle of a step: a real process gets the real signal.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReport } from '../../src/setup/report.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-interrupt-');

describe('an interrupted step', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: what the step half made is removed, and the exit code is 10', async (signal) => {
    const file = path.join(tmp(), 'half-made');
    // Node itself (the tsx wrapper would relay only some signals), as bin/slurmhop.cjs runs.
    const child = execa(process.execPath, ['--import', 'tsx', 'test/setup/fixtures/interrupted-step.ts', file], { reject: false });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
    expect(fs.existsSync(file)).toBe(true);
    child.kill(signal);
    const r = await child;
    expect(r.exitCode).toBe(10);
    expect(fs.existsSync(file)).toBe(false);
    expect(r.stderr).toContain('temporary files were removed');
  });
});

describe('progress lines', () => {
  it('on a terminal: one line rewritten in place, ended by the next message', () => {
    let out = '';
    const report = createReport((t) => (out += t), { tty: true });
    for (const pct of [0, 50, 100]) report({ type: 'progress', key: 'upload', message: `uploading: ${pct}%` });
    report({ type: 'done', message: 'installed' });
    expect(out).toBe('\r\x1b[K   uploading: 0%\r\x1b[K   uploading: 50%\r\x1b[K   uploading: 100%\n   ok: installed\n');
  });

  it('without one: the first line of a task, then one per 10 s', () => {
    let out = '';
    let clock = 0;
    const report = createReport((t) => (out += t), { now: () => clock });
    for (const pct of [0, 1, 2, 3]) {
      report({ type: 'progress', key: 'upload', message: `uploading: ${pct}%` });
      clock += 4_000;
    }
    expect(out).toBe('   uploading: 0%\n   uploading: 3%\n');
  });
});
