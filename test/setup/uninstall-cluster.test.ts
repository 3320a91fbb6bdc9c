// The cluster's side of an uninstall on a layout left half-installed (the
// front there, its executable gone): the real front (src/front/), run by
// this machine's bash, answers 127; uninstall asks it nothing and removes
// what is there.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFront } from '../../src/front/index.js';
import { clusterJobs, removeClusterFiles } from '../../src/setup/uninstall-cluster.js';
import { tempDirs } from '../helpers/tmp.js';
import { localSession } from './local-session.js';

const tmp = tempDirs('slurmhop-uninstall-cluster-');

describe('uninstall on a half-installed layout (front present, executable missing)', () => {
  for (const [where, front] of [['~/.local', '.local/bin/remote'], ['a chosen root', 'ROOT/slurmhop/bin/remote']] as const) {
    it(`${where}: no jobs to cancel through remote, and the front goes`, async () => {
      const home = tmp();
      const frontPath = front.startsWith('ROOT/') ? path.join(tmp(), front.slice('ROOT/'.length)) : front;
      const onDisk = frontPath.startsWith('/') ? frontPath : path.join(home, frontPath);
      fs.mkdirSync(path.dirname(onDisk), { recursive: true });
      fs.writeFileSync(onDisk, renderFront(), { mode: 0o755 });
      const session = localSession(home);
      expect((await session.sh('cd && exec "$1" list --json', [frontPath])).code).toBe(127);
      expect(await clusterJobs(session, frontPath)).toEqual([]);
      const done = await removeClusterFiles(session, new Date(), false, frontPath);
      expect(done.removed).toContain(onDisk);
      expect(fs.existsSync(onDisk)).toBe(false);
    });
  }
});
