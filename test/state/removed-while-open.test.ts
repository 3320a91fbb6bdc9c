// A state file that another login node removes between this node's open and
// its read: the readers treat it as gone, as if the open had missed it (a
// 20-connect login-pool run once failed with "internal error: ENOENT, fstat").
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress, PROGRESS_MARK } from '../../src/session/job-progress.js';
import { supervisorAlive } from '../../src/state/alive.js';
import { readLock } from '../../src/state/lock-record.js';
import { aliveFile } from '../../src/paths.js';
import { tempDirs } from '../helpers/tmp.js';
import { twoViews, twoViewsUnavailable } from '../helpers/two-views.js';

const tmp = tempDirs('slurmhop-removed-');
const unavailable = twoViewsUnavailable();

/** The next open of `file` here is followed at once by its removal through the other view. */
function removeRightAfterOpen(file: string, views: { here: string; there: string }): void {
  const open = fs.openSync;
  vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
    const fd = open(...args);
    if (args[0] === file) fs.rmSync(path.join(views.there, path.relative(views.here, file)));
    return fd;
  });
}

describe.skipIf(unavailable)(`a state file removed by another host while open (two bindfs views of one directory)${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  afterEach(() => vi.restoreAllMocks());

  it('the descriptor really fails there: the fault this guards against', () => {
    const views = twoViews(tmp());
    const file = path.join(views.here, 'f');
    fs.writeFileSync(file, 'x');
    const fd = fs.openSync(file, 'r');
    fs.rmSync(path.join(views.there, 'f'));
    try {
      expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a lock released by its holder on the other host reads as free', () => {
    const views = twoViews(tmp());
    const file = path.join(views.here, 'cpu.lock');
    fs.writeFileSync(file, JSON.stringify({ host: 'login2', pid: 1, nonce: 'n' }));
    removeRightAfterOpen(file, views);
    expect(readLock(file)).toBeUndefined();
  });

  it("a job's liveness mark removed at its end reads as not alive", () => {
    const views = twoViews(tmp());
    const file = aliveFile(views.here, '7');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    removeRightAfterOpen(file, views);
    expect(supervisorAlive(views.here, '7')).toBe(false);
  });

  it("a job's output removed while followed shows no progress, and no error", () => {
    const views = twoViews(tmp());
    const file = path.join(views.here, 'job.out');
    fs.writeFileSync(file, `${PROGRESS_MARK}importing\n`);
    removeRightAfterOpen(file, views);
    expect(followProgress(file)()).toEqual([]);
  });
});
