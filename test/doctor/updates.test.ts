import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { checkUpdates } from '../../src/doctor/index.js';
import { updatePaths } from '../../src/update/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-update-');

describe('doctor: update state', () => {
  it('the built-in copy, no repository: ok, automatic updates off', () => {
    const deps = fakeHome(tmp());
    expect(checkUpdates(deps, loadConfig(deps.configFile))).toEqual({
      name: 'updates',
      status: 'ok',
      summary: 'running built-in 0.1.0; automatic updates off (no repository in [update])',
    });
  });

  it('the last check failed: a warning pointing at "remote check" and the log', () => {
    const deps = fakeHome(tmp());
    const paths = updatePaths(deps.stateDir);
    fs.mkdirSync(paths.dir, { recursive: true });
    fs.writeFileSync(paths.checks, JSON.stringify({ finishedAt: Date.parse('2025-03-04T10:00:00Z'), result: 'unavailable: the repository cannot be read' }));
    const r = checkUpdates(deps, loadConfig(deps.configFile));
    expect(r).toMatchObject({ status: 'warn', summary: 'running built-in 0.1.0: the last update check did not succeed: 2025-03-04T10:00:00.000Z: unavailable: the repository cannot be read' });
    expect(r.fix).toContain(paths.log);
    fs.writeFileSync(paths.checks, JSON.stringify({ finishedAt: Date.parse('2025-03-04T10:00:00Z'), result: 'up to date: running 0.1.0, no release tags' }));
    expect(checkUpdates(deps, loadConfig(deps.configFile)).status).toBe('ok');
  });

  it('an installed release that cannot run, or an unreadable current.json: warnings with the way back', () => {
    const deps = fakeHome(tmp());
    const fallback = checkUpdates({ ...deps, running: { ...deps.running, fallback: 'its signature does not verify' } }, loadConfig(deps.configFile));
    expect(fallback.status).toBe('warn');
    expect(fallback.fix).toContain('remote rollback');
    const paths = updatePaths(deps.stateDir);
    fs.mkdirSync(paths.dir, { recursive: true });
    fs.writeFileSync(paths.current, '{not json');
    expect(checkUpdates(deps, loadConfig(deps.configFile))).toMatchObject({ status: 'warn', fix: `remove it (rm ${paths.current}), then "remote update"` });
  });

  it('config.ini does not load: the running copy only, and a warning', () => {
    expect(checkUpdates(fakeHome(tmp()), undefined)).toMatchObject({ status: 'warn', summary: 'running built-in 0.1.0; automatic updates not checked: config.ini does not load (see above)' });
  });
});
