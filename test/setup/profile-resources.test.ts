// The wizard's profile step: what is free now, from `remote resources --json`
// run through the wizard's connection (here: its script run by this machine's
// sh in a home of the test's own, with a stand-in `remote` that answers as
// the real one's --json does, or as an older one that lacks the command).
// Anything but a good answer leaves the step silent. On the cluster:
// test/e2e/forward.test.ts (its wizard's output).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchResources, parseResources, resourceLines, type ResourcesJson } from '../../src/setup/profile-resources.js';
import { tempDirs } from '../helpers/tmp.js';
import { localSession } from './local-session.js';

const tmp = tempDirs('slurmhop-profile-resources-');

const BUSY: ResourcesJson = {
  partitions: [
    { name: 'interactive', isDefault: true, nodes: { total: 2, idle: 1 }, cpus: { idle: 7, total: 8 }, gres: [{ name: 'gpu', type: null, free: 0, total: 1 }], pending: 0 },
    { name: 'gpu', isDefault: false, nodes: { total: 1, idle: 0 }, cpus: { idle: 3, total: 4 }, gres: [{ name: 'gpu', type: 'a100', free: 0, total: 1 }], pending: 1 },
  ],
  profiles: [
    { name: 'cpu', partition: 'interactive', start: '2026-12-06T14:32:00', nodes: 'c1', startsNow: true, refused: null },
    { name: 'gpu', partition: 'gpu', start: '2026-12-06T14:52:10', nodes: 'c2', startsNow: false, refused: null },
    { name: 'big', partition: 'gpu', start: null, nodes: null, startsNow: false, refused: 'Requested node configuration is not available' },
  ],
};

/** A home with ~/.local/bin/remote: a sh script with this body. */
function homeWithRemote(body: string | undefined): string {
  const home = tmp();
  if (body !== undefined) {
    fs.mkdirSync(path.join(home, '.local/bin'), { recursive: true });
    fs.writeFileSync(path.join(home, '.local/bin/remote'), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return home;
}

describe("the profile step's resources", () => {
  it('per profile: when it would start (now, a wait in the cluster\'s time, or Slurm\'s refusal) and what is idle in its partition', () => {
    const lines = resourceLines(BUSY, ['cpu', 'gpu', 'big']);
    const gpuIdle = 'gpu: 0 of 1 nodes idle, 3 CPUs free, gpu:a100 0 of 1 free, 1 job waiting';
    expect(lines.map((l) => l.split(/ {2,}/))).toEqual([
      ['cpu', 'would start now, on c1', 'interactive: 1 of 2 nodes idle, 7 CPUs free, gpu 0 of 1 free'],
      ['gpu', 'would wait: start 2026-12-06 14:52 (cluster time)', gpuIdle],
      ['big', 'Slurm would not start it: Requested node configuration is not available', gpuIdle],
    ]);
    // Columns line up.
    expect(new Set(lines.map((l) => l.indexOf(l.split(/ {2,}/)[2]!))).size).toBe(1);
    // Only the profiles the wizard set up, in its order; one it does not know is left out.
    expect(resourceLines(BUSY, ['gpu', 'nosuch']).map((l) => l.split(/\s+/)[0])).toEqual(['gpu']);
  });

  it('runs remote resources --json on the login node and reads it', async () => {
    const home = homeWithRemote(`[ "$*" = "resources --json" ] || exit 2\ncat <<'EOF'\n${JSON.stringify(BUSY)}\nEOF`);
    expect(await fetchResources(localSession(home))).toEqual(BUSY);
  });

  it('where setup installed remote outside the home (a noexec home): that front is the one run', async () => {
    const home = tmp();
    const front = path.join(tmp(), 'slurmhop/bin/remote');
    fs.mkdirSync(path.dirname(front), { recursive: true });
    fs.writeFileSync(front, `#!/bin/sh\n[ "$*" = "resources --json" ] || exit 2\ncat <<'EOF'\n${JSON.stringify(BUSY)}\nEOF\n`, { mode: 0o755 });
    expect(await fetchResources(localSession(home), front)).toEqual(BUSY);
    expect(await fetchResources(localSession(home))).toBeUndefined();
  });

  it('an older remote without the command, none at all, output that is not its JSON, or no answer in time: nothing (the wizard goes on)', async () => {
    expect(await fetchResources(localSession(homeWithRemote('echo "remote: unknown command \\"resources\\"" >&2; exit 2')))).toBeUndefined();
    expect(await fetchResources(localSession(homeWithRemote(undefined)))).toBeUndefined();
    expect(await fetchResources(localSession(homeWithRemote('echo "[1, 2]"')))).toBeUndefined();
    expect(await fetchResources(localSession(homeWithRemote('exec sleep 3')), undefined, 100)).toBeUndefined();
    expect(parseResources('{"partitions": [], "profiles": []}')).toEqual({ partitions: [], profiles: [] });
  });
});
