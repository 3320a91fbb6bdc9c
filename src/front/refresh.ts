// The executable keeps its front current: when the front beside it (in the
// install layout) is a slurmhop front whose text is not this version's, it is
// replaced, atomically, so a signed update can fix the front too. A file that
// is no front (a user's own script, the old layout's executable) is left alone.
// A front older than update/current.json steps aside on the warm path (an
// update or a rollback since): one that already has this text is touched.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRONT_IN_ROOT, rootOfExecutable } from '../install-layout.js';
import { stateDir } from '../paths.js';
import { updatePaths } from '../update/paths.js';
import { FRONT_MARK, renderFront } from './render.js';

export type Refreshed = 'rewritten' | 'touched' | 'current' | 'not-installed' | 'not-a-front' | 'failed';

/** Enough of a file to see its first two lines: a front's mark, or not (the old layout's 100 MB executable is not read). */
const HEAD_BYTES = 512;

/**
 * The layout's root from how this executable was started: the path the front
 * ran (argv0, a link kept as such) first, then the resolved one.
 */
export function installedRoot(argv0: string = process.argv0, execPath: string = process.execPath): string | undefined {
  const started = argv0.includes('/') ? rootOfExecutable(path.resolve(argv0)) : undefined;
  return started ?? rootOfExecutable(execPath);
}

/** Never throws; never writes anywhere but beside the front. */
export function refreshFront(root: string | undefined = installedRoot(), text: () => string = renderFront, current: string = updatePaths(stateDir()).current): Refreshed {
  if (!root) return 'not-installed';
  const front = path.join(root, FRONT_IN_ROOT);
  try {
    if (!isFront(front)) return 'not-a-front';
    const wanted = text();
    if (fs.readFileSync(front, 'utf8') === wanted) return touchIfOlder(front, current) ? 'touched' : 'current';
    const tmp = path.join(path.dirname(front), `.remote.${os.hostname()}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      fs.writeFileSync(tmp, wanted, { mode: 0o755 });
      fs.renameSync(tmp, front);
      touchIfOlder(front, current);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return 'rewritten';
  } catch {
    return 'failed';
  }
}

function isFront(file: string): boolean {
  const head = Buffer.alloc(HEAD_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    const n = fs.readSync(fd, head, 0, HEAD_BYTES, 0);
    return head.subarray(0, n).toString('latin1').split('\n', 2)[1]?.startsWith(FRONT_MARK) ?? false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether the front was older than current.json and is now newer. */
function touchIfOlder(front: string, current: string): boolean {
  const marker = fs.statSync(current, { bigint: true, throwIfNoEntry: false });
  if (!marker || fs.statSync(front, { bigint: true }).mtimeNs > marker.mtimeNs) return false;
  const later = new Date(Math.max(Date.now(), Number(marker.mtimeNs / 1_000_000n) + 1_000));
  fs.utimesSync(front, later, later);
  return true;
}
