// The relay's guard (relay-script.ts guard_start/guard_stop), in the bash
// that runs it: a guard stopped at any moment of its start leaves no sleep
// behind (one outlived its guard where the stop came between the sleep's
// start and its pid: a user's `sleep 30` left on the login node).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { laterText } from '../../src/session/relay-script.js';

describe("the relay's guard", () => {
  it('300 guards stopped as soon as started: no sleep of theirs is left', () => {
    // A duration no other process uses, to count this test's sleeps alone.
    const duration = `4${process.pid % 10}.${String(Date.now() % 1000).padStart(3, '1')}`;
    const script = `eval "$1"; for i in $(seq 300); do guard_start ${duration} TERM 999999; guard_stop; done; sleep 0.3; pgrep -fc "^sleep ${duration}$" || true; pkill -f "^sleep ${duration}$"`;
    const r = spawnSync('/bin/bash', ['-c', script, 'guard', laterText()], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout.trim(), r.stderr).toBe('0');
  });

  it('a guard left to run sends its signal', () => {
    const r = spawnSync('/bin/bash', ['-c', 'eval "$1"; trap "echo alarmed; exit 0" ALRM; guard_start 0.1 ALRM $$; sleep 5 >/dev/null 2>&1 & wait $!; echo not', 'guard', laterText()], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout.trim()).toBe('alarmed');
  });
});
