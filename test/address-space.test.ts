// Login nodes' address-space caps (ulimit -v): the decision made at every start.
import { describe, expect, it } from 'vitest';
import { addressSpaceLimit, fitAddressSpace, MIN_ADDRESS_SPACE_MIB } from '../src/address-space.js';
import { SlurmhopError } from '../src/errors.js';

const LIMITS = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            256                  256                  files     \nMax address space         ${soft}           ${soft}           bytes     \n`;
const fresh = () => delete (globalThis as Record<symbol, unknown>)[Symbol.for('slurmhop.address-space-fitted')];

describe('the address-space limit', () => {
  it('is read from /proc/self/limits: a number of bytes, or none when unlimited', () => {
    expect(addressSpaceLimit(LIMITS('1073741824'))).toBe(1073741824);
    expect(addressSpaceLimit(LIMITS('unlimited'))).toBeUndefined();
    expect(addressSpaceLimit(undefined)).toBeUndefined();
  });

  it('under a cap the program starts again with one malloc arena, once, and its children never see the setting', () => {
    fresh();
    const restarts: NodeJS.ProcessEnv[] = [];
    const restart = (env: NodeJS.ProcessEnv): never => {
      restarts.push(env);
      throw new Error('restarted');
    };
    expect(() => fitAddressSpace({ PATH: '/bin' }, restart, 1 << 30)).toThrow('restarted');
    expect(restarts[0]).toMatchObject({ PATH: '/bin', MALLOC_ARENA_MAX: '1', SLURMHOP_ONE_ARENA: '1' });
    // The restarted process: goes on, and drops what was ours.
    fresh();
    const env = { ...restarts[0] };
    fitAddressSpace(env, restart, 1 << 30);
    expect(env).toEqual({ PATH: '/bin' });
    // A second start in the same process (a release bundle) decides nothing again.
    fitAddressSpace(env, restart, 1 << 30);
    expect(restarts).toHaveLength(1);
  });

  it('no cap, or a MALLOC_ARENA_MAX of the user: nothing changes', () => {
    const restart = (): never => {
      throw new Error('must not restart');
    };
    fresh();
    fitAddressSpace({}, restart, undefined);
    fresh();
    const env = { MALLOC_ARENA_MAX: '4' };
    fitAddressSpace(env, restart, 1 << 30);
    expect(env).toEqual({ MALLOC_ARENA_MAX: '4' });
  });

  it('below the minimum: a limits error that names the limit and what to ask for', () => {
    fresh();
    let error: unknown;
    try {
      fitAddressSpace({}, undefined, 300 * 1_048_576);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SlurmhopError);
    expect((error as SlurmhopError).kind).toBe('limits');
    expect((error as SlurmhopError).message).toContain('ulimit -v 307200');
    expect((error as SlurmhopError).hint).toContain(`${MIN_ADDRESS_SPACE_MIB * 1024} KiB`);
  });
});
