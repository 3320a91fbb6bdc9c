import { describe, expect, it } from 'vitest';
import { pickExisting } from '../../src/session/index.js';
import type { JobInfo } from '../../src/slurm/index.js';

const job = (id: string, state: string) => ({ id, state, name: 'slurmhop-cpu' }) as JobInfo;

describe('which existing job a connect reuses', () => {
  it('a running job over a configuring one over a pending one; the newest among equals', () => {
    expect(pickExisting([job('3', 'PENDING'), job('1', 'RUNNING'), job('2', 'CONFIGURING')])?.id).toBe('1');
    expect(pickExisting([job('3', 'PENDING'), job('2', 'CONFIGURING')])?.id).toBe('2');
    expect(pickExisting([job('3', 'PENDING'), job('4', 'PENDING')])?.id).toBe('4');
    expect(pickExisting([])).toBeUndefined();
  });
});
