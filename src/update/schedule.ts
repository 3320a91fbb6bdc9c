// What `remote proxy` does about updates: at most one background check per
// check_interval, started as a detached process (its own session, stdio on
// /dev/null) so that it can never write to the SSH stream nor delay or outlive
// the connection's needs. Everything here is a few small file reads; any
// problem means "no check this time", never an error. It also leaves, in
// update/next-check, what the front of `remote` (front/) needs to know without
// starting Node that no check is due.
import type * as ChildProcess from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { VERSION } from '../version.js';
import { ensurePrivateDir, writeFileAtomic } from '../fsutil.js';
import { configDir, stateDir } from '../paths.js';
import { checkedRecently, readChecks, writeChecks, type ChecksState, type SeenSettings } from './checks.js';
import type * as Settings from './settings.js';
import { OPT_OUT_FILE, updatePaths, type UpdatePaths } from './paths.js';
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
  let paths: UpdatePaths | undefined;
  let seen: Seen | undefined;
  let result: ScheduleResult = 'error';
  try {
    paths = updatePaths(deps.stateDir);
    let checks = readChecks(paths);
    seen = seenSettings(deps, checks);
    const { settings } = seen;
    if (settings !== checks.seen) {
      ensurePrivateDir(paths.dir);
      checks = { ...checks, seen: settings };
      writeChecks(paths, checks);
    }
    const now = deps.now();
    if (!settings.autoUpdate) result = 'disabled';
    else if (fs.existsSync(path.join(deps.configDir, OPT_OUT_FILE))) result = 'opted-out';
    else if (!settings.hasRepository) result = 'no-repository';
    else if (checkedRecently(checks, now, settings.checkInterval)) result = 'not-due';
    else {
      ensurePrivateDir(paths.dir);
      // Claimed before the child starts: simultaneous connects start one check
      // (the child's lock covers the rare race), and a failing one waits a day.
      writeChecks(paths, { ...checks, startedAt: now });
      deps.spawnDetached([...deps.command, 'update', '--auto']);
      result = 'started';
    }
    return result;
  } catch {
    result = 'error';
    return result;
  } finally {
    if (paths) markNextCheck(paths, deps, result !== 'error' && seen?.settled ? seen : undefined);
  }
}

/**
 * update/next-check: `DUE LAST CONFIG` (front/ reads it): the epoch second
 * before which no check is due (or never), the second from which the last
 * check counts (checkedRecently: none counts before it started), and the
 * identity of the config.ini it was written for (configIdentity; - for none).
 */
export const nextCheckFile = (paths: UpdatePaths) => path.join(paths.dir, 'next-check');

/**
 * config.ini as the front's stat sees it: `INODE:CTIME-SECOND:SIZE`, or - for
 * none. Any change, a rename over it or a restored backup included, changes
 * its ctime; the marker is written only for a config.ini settled 2 s before,
 * so a later change cannot share its second.
 */
export function configIdentity(s: fs.BigIntStats | undefined): string {
  return s ? `${s.ino}:${s.ctimeNs / 1_000_000_000n}:${s.size}` : '-';
}

/** When the next check becomes due (ms), Infinity for never; opt-out aside (the front checks that file itself). */
function nextCheckDue(settings: SeenSettings, checks: ChecksState, now: number): number {
  if (!settings.autoUpdate || !settings.hasRepository) return Infinity;
  const last = Math.max(checks.startedAt ?? 0, checks.finishedAt ?? 0);
  return checkedRecently(checks, now, settings.checkInterval) ? last + settings.checkInterval * 1000 : now;
}

/**
 * Written only for settings read from a config.ini that had settled (see
 * seenSettings), with that config.ini's identity: the front takes any other
 * (or one come or gone) for a change and leaves the decision to this code. Removed when nothing can be vouched for
 * (a config.ini just edited, an error). Never throws.
 */
function markNextCheck(paths: UpdatePaths, deps: ScheduleDeps, seen: Seen | undefined): void {
  const file = nextCheckFile(paths);
  try {
    const now = deps.now();
    const checks = readChecks(paths);
    const due = seen ? nextCheckDue(seen.settings, checks, now) : now;
    if (!seen || due <= now) {
      fs.rmSync(file, { force: true });
      return;
    }
    const last = Math.ceil(Math.max(checks.startedAt ?? 0, checks.finishedAt ?? 0) / 1000);
    const line = `${due === Infinity ? 'never' : Math.floor(due / 1000)} ${last} ${seen.identity}\n`;
    if (readIfThere(file) === line) return;
    ensurePrivateDir(paths.dir);
    writeFileAtomic(file, line);
  } catch {
    // no marker: the front leaves every connect's update check to this code
  }
}

/**
 * What config.ini says about automatic checks. It is parsed again only when
 * it changed (mtime, ctime, size or inode): on the warm path of every connect,
 * one stat instead of reading and checking the whole file. A file changed in
 * the last 2 s is always read: a coarse clock (1 s on some NFS servers) could
 * hide a second edit of the same size.
 */
interface Seen {
  settings: SeenSettings;
  /** config.ini unchanged for 2 s at least (or missing): what was read stays what it says. */
  settled: boolean;
  /** configIdentity of the config.ini these settings were read from. */
  identity: string;
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function seenSettings(deps: ScheduleDeps, checks: ChecksState): Seen {
  let big: fs.BigIntStats | undefined;
  try {
    big = fs.statSync(path.join(deps.configDir, 'config.ini'), { bigint: true });
  } catch {
    big = undefined;
  }
  // One stat for both: the identity the front compares and the fields checks.json keeps.
  const stat = big && { mtimeMs: Number(big.mtimeNs) / 1e6, ctimeMs: Number(big.ctimeNs) / 1e6, size: Number(big.size), ino: Number(big.ino) };
  const now: Omit<SeenSettings, 'autoUpdate' | 'hasRepository' | 'checkInterval'> = {
    configMtimeMs: stat?.mtimeMs ?? -1,
    configCtimeMs: stat?.ctimeMs ?? -1,
    configSize: stat?.size ?? -1,
    configIno: stat?.ino ?? -1,
  };
  const seen = checks.seen;
  const settled = !stat || deps.now() - Math.max(stat.mtimeMs, stat.ctimeMs) >= 2000;
  const identity = configIdentity(big);
  if (seen && settled && (Object.keys(now) as Array<keyof typeof now>).every((k) => seen[k] === now[k])) return { settings: seen, settled, identity };
  const settings = deps.settings();
  return { settings: { ...now, autoUpdate: settings.autoUpdate, hasRepository: Boolean(settings.repository), checkInterval: settings.checkInterval }, settled, identity };
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
