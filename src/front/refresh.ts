// The executable keeps its front current: when the front beside it (in the
// install layout) is a slurmhop front whose text is not this version's, it is
// replaced, atomically, so a signed update can fix the front too. A file that
// is no front (a user's own script, the old layout's executable) is left alone.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRONT_IN_ROOT, rootOfExecutable } from '../install-layout.js';
import { FRONT_MARK, renderFront } from './render.js';

export type Refreshed = 'rewritten' | 'current' | 'not-installed' | 'not-a-front' | 'failed';

/** Never throws; never writes anywhere but beside the front. */
export function refreshFront(executable: string = process.execPath, text: () => string = renderFront): Refreshed {
  const root = rootOfExecutable(executable);
  if (!root) return 'not-installed';
  const front = path.join(root, FRONT_IN_ROOT);
  try {
    const now = fs.readFileSync(front, 'utf8');
    if (!now.split('\n', 2)[1]?.startsWith(FRONT_MARK)) return 'not-a-front';
    const wanted = text();
    if (now === wanted) return 'current';
    const tmp = path.join(path.dirname(front), `.remote.${os.hostname()}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      fs.writeFileSync(tmp, wanted, { mode: 0o755 });
      fs.renameSync(tmp, front);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    return 'rewritten';
  } catch {
    return 'failed';
  }
}
