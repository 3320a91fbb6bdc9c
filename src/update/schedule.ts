// What `remote proxy` does about updates: at most one background check per
// check_interval, started as a detached process (its own session, stdio on
// /dev/null) so that it can never write to the SSH stream nor delay or outlive
// the connection's needs. Everything here is a few small file reads; any
// problem means "no check this time", never an error.
import type * as ChildProcess from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { VERSION } from '../version.js';
import { ensurePrivateDir } from '../fsutil.js';
import { configDir, stateDir } from '../paths.js';
import { checkedRecently, readChecks, writeChecks, type ChecksState, type SeenSettings } from './checks.js';
import type * as Settings from './settings.js';
import { OPT_OUT_FILE, updatePaths } from './paths.js';
import { launcherCommand, runningProgram } from './running.js';
import { childEnv } from './child-env.js';

export interface ScheduleDeps {
  stateDir: string;
  configDir: string;
  settings(): Config['update'];
  now(): number;
  /** The command that runs this executable (the launcher picks the newest verified copy). */
  command: string[];
  spawnDetached(command: string[]): void;
}

export type ScheduleResult = 'started' | 'disabled' | 'opted-out' | 'no-repository' | 'not-due' | 'error';

/** Never throws, never writes to stdout; returns what it decided (for tests). */
export function scheduleUpdateCheck(deps: ScheduleDeps = defaultScheduleDeps()): ScheduleResult {
  try {
    const paths = updatePaths(deps.stateDir);
    let checks = readChecks(paths);
    const settings = seenSettings(deps, checks);
    if (settings !== checks.seen) {
      ensurePrivateDir(paths.dir);
      checks = { ...checks, seen: settings };
      writeChecks(paths, checks);
    }
    if (!settings.autoUpdate) return 'disabled';
    if (fs.existsSync(path.join(deps.configDir, OPT_OUT_FILE))) return 'opted-out';
    if (!settings.hasRepository) return 'no-repository';
    const now = deps.now();
    if (checkedRecently(checks, now, settings.checkInterval)) return 'not-due';
    ensurePrivateDir(paths.dir);
    // Claimed before the child starts: simultaneous connects start one check
    // (the child's lock covers the rare race), and a failing one waits a day.
    writeChecks(paths, { ...checks, startedAt: now });
    deps.spawnDetached([...deps.command, 'update', '--auto']);
    return 'started';
  } catch {
    return 'error';
  }
}

/**
 * What config.ini says about automatic checks. It is parsed again only when
 * it changed (mtime, ctime, size or inode): on the warm path of every connect,
 * one stat instead of reading and checking the whole file. A file changed in
 * the last 2 s is always read: a coarse clock (1 s on some NFS servers) could
 * hide a second edit of the same size.
 */
function seenSettings(deps: ScheduleDeps, checks: ChecksState): SeenSettings {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(path.join(deps.configDir, 'config.ini'));
  } catch {
    stat = undefined;
  }
  const now: Omit<SeenSettings, 'autoUpdate' | 'hasRepository' | 'checkInterval'> = {
    configMtimeMs: stat?.mtimeMs ?? -1,
    configCtimeMs: stat?.ctimeMs ?? -1,
    configSize: stat?.size ?? -1,
    configIno: stat?.ino ?? -1,
  };
  const seen = checks.seen;
  const settled = !stat || deps.now() - Math.max(stat.mtimeMs, stat.ctimeMs) >= 2000;
  if (seen && settled && (Object.keys(now) as Array<keyof typeof now>).every((k) => seen[k] === now[k])) return seen;
  const settings = deps.settings();
  return { ...now, autoUpdate: settings.autoUpdate, hasRepository: Boolean(settings.repository), checkInterval: settings.checkInterval };
}

// Loaded when used: on the warm path of most connects neither config.ini's parser
// nor child_process is needed (a check is due once per check_interval).
const settingsModule = () => require('./settings.js') as typeof Settings;

export function defaultScheduleDeps(): ScheduleDeps {
  return {
    stateDir: stateDir(),
    configDir: configDir(),
    settings: () => settingsModule().loadSettings(),
    now: () => Date.now(),
    command: launcherCommand(runningProgram(VERSION)),
    spawnDetached,
  };
}

/**
 * Started at once, not on a later turn of the event loop: the warm path
 * replaces this process (execve) right after, and a check left for later
 * would never start, though checks.json already says it did. It costs one
 * spawn, once per check_interval.
 */
export function spawnDetached([file, ...args]: string[], env: NodeJS.ProcessEnv = childEnv()): void {
  try {
    const { spawn } = require('node:child_process') as typeof ChildProcess;
    const child = spawn(file!, args, { detached: true, stdio: 'ignore', cwd: '/', env });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no check this time
  }
}
