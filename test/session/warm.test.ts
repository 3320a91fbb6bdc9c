// The warm path takes a profile name from argv or the `current` file: a path
// component. What is not a profile's name touches no file.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tryWarmHandoff } from '../../src/session/warm.js';
import { answeringJob } from '../../src/session/endpoint.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-warm-');
const saved = process.env.XDG_STATE_HOME;
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = saved;
});

/** A state directory beside which a file with a job id's name sits where "../x" would reach it. */
function stateWithBait(): { state: string; bait: string } {
  const root = tmp();
  process.env.XDG_STATE_HOME = root;
  const state = path.join(root, 'slurmhop');
  fs.mkdirSync(path.join(state, 'live', 'cpu'), { recursive: true });
  const bait = path.join(root, 'x', '12345');
  fs.mkdirSync(path.dirname(bait), { recursive: true });
  fs.writeFileSync(bait, 'the user\'s own file\n');
  return { state, bait };
}

describe('the warm path and names that are no profile\'s', () => {
  it.each(['../../x', '../x', '.', '..', 'a/b', '12345', ''])('"%s": nothing read, nothing removed, the full program decides', async (name) => {
    const { bait } = stateWithBait();
    expect(await tryWarmHandoff(name)).toBe(false);
    expect(fs.readFileSync(bait, 'utf8')).toBe('the user\'s own file\n');
  });

  it('a "current" file that names no profile is not followed', async () => {
    const { state, bait } = stateWithBait();
    fs.writeFileSync(path.join(state, 'current'), JSON.stringify({ profile: '../../x', jobId: '12345' }));
    expect(await tryWarmHandoff('--current')).toBe(false);
    expect(fs.existsSync(bait)).toBe(true);
  });

  it('the state layer refuses such a name too: no index outside live/ is read, so nothing there is connected to', async () => {
    const { state, bait } = stateWithBait();
    // A contact that names the odd profile: what a crafted or damaged file could hold.
    fs.mkdirSync(path.join(state, 'jobs', '12345'), { recursive: true });
    fs.writeFileSync(path.join(state, 'jobs', '12345', 'contact'), JSON.stringify({ version: 1, jobId: '12345', profile: '../../x', node: 'c1', port: 1, user: 'u', pid: 1, readyAt: '' }));
    const dialled: string[] = [];
    const found = await answeringJob(state, '../../x', async (host) => {
      dialled.push(host);
      throw new Error('refused');
    });
    expect(found).toBeUndefined();
    expect(dialled).toEqual([]);
    expect(fs.existsSync(bait)).toBe(true);
  });
});
