import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { JobEnd, type SignalSource } from '../../src/job/end.js';

const signals = () => new EventEmitter() as unknown as SignalSource & EventEmitter;

describe('why the job ends', () => {
  it('SIGTERM near the end time is the time limit; earlier it is a cancel', async () => {
    let now = 1_000_000;
    const src = signals();
    const end = new JobEnd(src, () => now);
    end.endTime = now + 3_600_000;
    expect(end.fromSignal('SIGTERM')).toBe('cancelled');
    now = end.endTime - 10_000;
    expect(end.fromSignal('SIGTERM')).toBe('time-limit');
    src.emit('SIGTERM');
    expect(await end.promise).toBe('time-limit');
  });

  it('the first reason wins, and dispose removes only its own listeners', async () => {
    const src = signals();
    const other = () => {};
    src.on('SIGTERM', other);
    const end = new JobEnd(src);
    end.settle('idle');
    src.emit('SIGHUP');
    expect(await end.promise).toBe('idle');
    end.dispose();
    expect(src.listeners('SIGTERM')).toEqual([other]);
    expect(src.listenerCount('SIGHUP')).toBe(0);
  });
});
