import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { withCarriedConstraints } from '../../src/session/index.js';
import { readCurrent, writeCurrent } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-current-');
const profiles = parseConfig('[profile.cpu]\nconstraint = ib\n[profile.gpu]\ngres = gpu:1\n[profile.a100]\nconstraint = a100\n', 'c.ini');

describe('swap', () => {
  it('carries the current node constraints over when the target sets none', () => {
    expect(withCarriedConstraints(profiles.get('gpu')!, profiles.get('cpu')).constraint).toBe('ib');
    expect(withCarriedConstraints(profiles.get('a100')!, profiles.get('cpu')).constraint).toBe('a100');
    expect(withCarriedConstraints(profiles.get('gpu')!, undefined).constraint).toBeUndefined();
  });

  it('the current session pointer round-trips, and a damaged one reads as none', () => {
    const state = tmp();
    expect(readCurrent(state)).toBeUndefined();
    writeCurrent(state, { profile: 'gpu', jobId: '12' });
    expect(readCurrent(state)).toEqual({ profile: 'gpu', jobId: '12' });
    fs.writeFileSync(`${state}/current`, '{"profile":');
    expect(readCurrent(state)).toBeUndefined();
  });
});
