import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendStatus, endedEvent, readStatus, recordSubmitted } from '../../src/state/index.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-status-');

describe('job status records', () => {
  it('submitted (login node) and the job\'s own events read back in order', () => {
    const state = tmp();
    fs.mkdirSync(path.join(state, 'jobs', '5'), { recursive: true });
    recordSubmitted(state, '5', 'cpu');
    appendStatus(state, { event: 'started', jobId: '5', profile: 'cpu', node: 'c1' });
    appendStatus(state, { event: 'ready', jobId: '5', profile: 'cpu', node: 'c1', port: 9 });
    expect(readStatus(state, '5').map((e) => e.event)).toEqual(['submitted', 'started', 'ready']);
    expect(endedEvent(state, '5')).toBeUndefined();
  });

  it('a requeued job: only an end after its latest start counts; a torn line is skipped', () => {
    const state = tmp();
    fs.mkdirSync(path.join(state, 'jobs', '6'), { recursive: true });
    appendStatus(state, { event: 'started', jobId: '6', profile: 'cpu', node: 'c1' });
    appendStatus(state, { event: 'ended', jobId: '6', profile: 'cpu', reason: 'signal' });
    fs.appendFileSync(path.join(state, 'jobs', '6', 'status'), '{"event":"sta');
    fs.appendFileSync(path.join(state, 'jobs', '6', 'status'), '\n');
    appendStatus(state, { event: 'started', jobId: '6', profile: 'cpu', node: 'c2' });
    expect(endedEvent(state, '6')).toBeUndefined();
    appendStatus(state, { event: 'ended', jobId: '6', profile: 'cpu', reason: 'idle' });
    expect(endedEvent(state, '6')?.reason).toBe('idle');
  });
});
