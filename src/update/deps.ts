// Everything the updater touches outside itself, with real defaults, so tests
// can swap the clock, the repository, the self-check or the disk's free space.
import fs from 'node:fs';
import type { Config } from '../config/index.js';
import { childEnv, loadSettings } from './settings.js';
import { VERSION } from '../version.js';
import { stateDir } from '../paths.js';
import { runSelfCheck } from './candidate.js';
import { createUpdateLog, type UpdateLog } from './log.js';
import { updatePaths, type UpdatePaths } from './paths.js';
import { RELEASE_KEY } from './release-key.js';
import { gitSource, type ReleaseSource } from './repository.js';
import { launcherCommand, runningProgram, type Running } from './running.js';

type UpdateSettings = Config['update'];

export interface UpdateDeps {
  paths: UpdatePaths;
  settings: UpdateSettings;
  /** The public key releases must be signed with: the built-in one. */
  key: string | undefined;
  running: Running;
  source(url: string): ReleaseSource;
  /** Runs a staged release's self-check; rejects with why it failed. */
  selfCheck(dir: string, version: string): Promise<void>;
  log: UpdateLog;
  now(): number;
  freeBytes(dir: string): number;
  /** An update does not start with less free space than this where the state dir is. */
  minFreeBytes: number;
}

const GIT_TIMEOUT_MS = 120_000;
const SELF_CHECK_TIMEOUT_MS = 60_000;

/** Without NODE_OPTIONS: a user's settings for their own Node.js must not change how slurmhop runs. */
export function defaultUpdateDeps(options: { echo?: (line: string) => void; settings?: UpdateSettings } = {}): UpdateDeps {
  const paths = updatePaths(stateDir());
  const running = runningProgram(VERSION);
  const env = childEnv();
  return {
    paths,
    settings: options.settings ?? loadSettings(),
    key: RELEASE_KEY,
    running,
    source: (url) => gitSource(url, { env, timeoutMs: GIT_TIMEOUT_MS }),
    selfCheck: (dir, version) => runSelfCheck({ command: launcherCommand(running), env, timeoutMs: SELF_CHECK_TIMEOUT_MS }, dir, version),
    log: createUpdateLog(paths.log, options.echo),
    now: () => Date.now(),
    freeBytes: (dir) => {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    },
    minFreeBytes: 16 * 2 ** 20,
  };
}

