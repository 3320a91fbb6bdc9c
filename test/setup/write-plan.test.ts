// The laptop's files are written minutes after they were planned: a change
// made in between (an editor, a second setup) is planned in, not lost.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configuredClusters, recordCluster } from '../../src/setup/clusters.js';
import type { Laptop } from '../../src/setup/laptop-paths.js';
import { readText, withFileLock, type FileChange } from '../../src/setup/local-files.js';
import type { SetupEvent } from '../../src/setup/report.js';
import { planSshConfig, prefixFor } from '../../src/setup/ssh-config-plan.js';
import { writePlanned } from '../../src/setup/write-plan.js';
import { tempDirs } from '../helpers/tmp.js';
import { linuxLaptop } from './block-inputs.js';

const tmp = tempDirs('slurmhop-write-plan-');

/** The ssh config change a setup for `cluster` plans, from the file as it is now. */
const planFor = (file: string, cluster: string): FileChange => {
  const before = readText(file);
  return { file, before, after: planSshConfig(before ?? '', file, { ...linuxLaptop, cluster, prefix: cluster === 'hpc' ? 'slurm' : prefixFor(cluster) }, cluster, '\n').after, mode: 0o600, backup: true };
};

describe('writing what was planned a while ago', () => {
  it('an edit made in between stays: the plan is made again from the file as it is', () => {
    const file = path.join(tmp(), 'config');
    fs.writeFileSync(file, 'Host a\n  User x\n');
    const events: SetupEvent[] = [];
    let plans = 0;
    const stale = planFor(file, 'hpc');
    fs.appendFileSync(file, 'Host b\n  User y\n'); // the user's editor, during the upload
    writePlanned(() => (plans++ === 0 ? [stale] : [planFor(file, 'hpc')]), new Date(), (e) => events.push(e));
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('Host b\n  User y\n');
    expect(text).toContain('# >>> slurmhop hpc >>>');
    expect(events).toContainEqual({ type: 'info', message: `${file} changed while setup ran: planned again from what is there now` });
  });

  it('two setups at once (two clusters): both blocks are there, and both clusters are recorded', () => {
    const home = tmp();
    const l: Laptop = { platform: 'linux', home, env: {} };
    const file = path.join(home, '.ssh', 'config');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'Host mine\n');
    const first = planFor(file, 'hpc');
    const second = planFor(file, 'mila');
    let secondPlans = 0;
    writePlanned(() => [first], new Date(), () => {});
    recordCluster(l, 'hpc', file);
    writePlanned(() => (secondPlans++ === 0 ? [second] : [planFor(file, 'mila')]), new Date(), () => {});
    recordCluster(l, 'mila', file);
    expect(configuredClusters(l).map((c) => c.name)).toEqual(['hpc', 'mila']);
    expect(fs.readFileSync(file, 'utf8')).toContain('Host mine\n');
  });

  it('a file locked by another setup is waited for; a lock left by a dead one is taken over', () => {
    const file = path.join(tmp(), 'config');
    fs.writeFileSync(file, '');
    fs.mkdirSync(`${file}.slurmhop-lock`);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(`${file}.slurmhop-lock`, old, old);
    expect(withFileLock(file, () => 'done')).toBe('done');
    expect(fs.existsSync(`${file}.slurmhop-lock`)).toBe(false);
  });
});
