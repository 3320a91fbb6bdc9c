import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { JobEnd, type SignalSource } from '../../src/job/end.js';
import { countEstablished } from '../../src/job/idle.js';

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

describe('open connections, from /proc/net/tcp', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1',
    '   1: 0B004D0A:9C40 0100004D0A:D431 01 00000000:00000000 02:000A7B2B 00000000  1000        0 2 1',
    '   2: 0B004D0A:9C40 0100004D0A:D432 06 00000000:00000000 03:00000F1A 00000000     0        0 0 3',
    '   3: 0B004D0A:1F90 0100004D0A:D433 01 00000000:00000000 02:000A7B2B 00000000  1000        0 4 1',
  ].join('\n');
  it('counts only ESTABLISHED connections on our port (not LISTEN, not TIME_WAIT, not other ports)', () => {
    expect(countEstablished(0x9c40, [table])).toBe(1);
    expect(countEstablished(0x1f90, [table])).toBe(1);
    expect(countEstablished(1234, [table, ''])).toBe(0);
  });
});
