import { describe, expect, it } from 'vitest';
import { parseConfig, slurmTimeSeconds } from '../../src/config/index.js';
import { SlurmhopError } from '../../src/errors.js';

const FILE = '/home/u/.config/slurmhop/config.ini';

function errorOf(text: string): SlurmhopError {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(SlurmhopError);
    return err as SlurmhopError;
  }
  throw new Error('expected a config error');
}

describe('renew and renew_max in config.ini', () => {
  it('off by default, with a cap of 24h; durations as the other settings write them', () => {
    const profiles = parseConfig('[profile.a]\n[profile.b]\ntime = 8:00:00\nrenew = 10m\nrenew_max = 48h\n[profile.c]\nrenew = 0\n[profile.d]\nrenew = 90\n', FILE);
    expect(profiles.get('a')).toMatchObject({ renew: 0, renewMax: 86_400 });
    expect(profiles.get('b')).toMatchObject({ renew: 600, renewMax: 172_800 });
    expect(profiles.get('c')!.renew).toBe(0);
    expect(profiles.get('d')!.renew).toBe(90);
  });

  it('[defaults] gives every profile renewal; a profile turns it off', () => {
    const profiles = parseConfig('[defaults]\nrenew = 10m\n[profile.a]\n[profile.b]\nrenew = 0\n', FILE);
    expect(profiles.get('a')!.renew).toBe(600);
    expect(profiles.get('b')!.renew).toBe(0);
  });

  it.each([
    ['[profile.a]\nrenew = soon\n', 2, 'renew must be a duration (e.g. 10m, 1h), or 0 (off), not "soon"'],
    ['[profile.a]\nrenew = 30s\n', 2, 'renew must be at least 1m'],
    ['[profile.a]\nrenew_max = forever\n', 2, 'renew_max must be a duration (e.g. 24h), not "forever"'],
    ['[profile.a]\nrenew_max = 0\n', 2, 'renew_max must be at least 1m'],
    ['[profile.a]\ntime = 30\n\nrenew = 30m\n', 4, 'renew (1800s) must be shorter than time = 30'],
    ['[profile.a]\ntime = 8:00:00\nrenew = 10m\nrenew_max = 12h\n', 4, 'renew_max (43200s) leaves no room for a successor: two jobs of time = 8:00:00 take 57600s'],
    // The cap's default is what leaves no room: the error points at renew, the line that turned renewal on.
    ['[profile.a]\ntime = 1-00:00:00\nrenew = 1h\n', 3, 'renew_max (86400s) leaves no room'],
  ])('%j is rejected at line %i', (text, line, message) => {
    const err = errorOf(text);
    expect(err.message).toContain(`${FILE}:${line}:`);
    expect(err.message).toContain(message);
  });

  it('no time in the profile (the partition\'s default): nothing to check against', () => {
    expect(parseConfig('[profile.a]\nrenew = 10h\nrenew_max = 1m\n', FILE).get('a')).toMatchObject({ renew: 36_000, renewMax: 60 });
  });

  it('reads Slurm time limits as sbatch does', () => {
    expect(slurmTimeSeconds('2')).toBe(120);
    expect(slurmTimeSeconds('30:15')).toBe(1815);
    expect(slurmTimeSeconds('8:00:00')).toBe(28_800);
    expect(slurmTimeSeconds('1-0')).toBe(86_400);
    expect(slurmTimeSeconds('1-2:30')).toBe(95_400);
    expect(slurmTimeSeconds('2-00:00:10')).toBe(172_810);
    expect(slurmTimeSeconds('unlimited')).toBeUndefined();
  });
});
