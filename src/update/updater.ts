// Check the release repository and install a newer release: under the lock,
// fetch into staging, verify the signature, run the release's self-check, then
// one rename makes it installed and current.json makes it current. Any failure
// leaves the running version as it was and says why in the update log.
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../fsutil.js';
import { checkedRecently, readChecks, writeChecks } from './checks.js';
import type { UpdateDeps } from './deps.js';
import { formatUpdateEvent, type UpdateEvent } from './log.js';
import { ReleaseRejected } from './manifest.js';
import { installRelease } from './install.js';
import { readCurrent, readRelease } from './installed.js';
import { describeHolder, tryLock } from '../state/index.js';
import { compareVersions, newest } from './semver.js';

export type UpdateMode = { kind: 'auto' } | { kind: 'latest' } | { kind: 'version'; version: string };

export type UpdateOutcome =
  | { result: 'installed'; version: string; previous: string }
  | { result: 'up-to-date'; running: string; latest?: string | undefined }
  | { result: 'skipped'; why: string }
  | { result: 'busy'; why: string }
  | { result: 'unavailable'; why: string }
  | { result: 'rejected'; version: string; why: string }
  | { result: 'failed'; why: string; cause: 'state' | 'repository' };

export async function updateNow(deps: UpdateDeps, mode: UpdateMode): Promise<UpdateOutcome> {
  const { settings, paths } = deps;
  if (!deps.key) return skip(deps, 'unavailable', 'this build of slurmhop has no release key, so it installs no release');
  if (!settings.repository) return skip(deps, 'unavailable', 'no release repository: set "repository" in the [update] section of config.ini');
  ensurePrivateDir(paths.dir);
  const lock = tryLock(paths.lock);
  if ('heldBy' in lock) return skip(deps, 'busy', `another update is running (${describeHolder(lock.heldBy)})`);
  try {
    if (mode.kind === 'auto' && checkedRecently({ finishedAt: readChecks(paths).finishedAt }, deps.now(), settings.checkInterval)) {
      return skip(deps, 'skipped', 'checked recently');
    }
    const outcome = await underLock(deps, mode, settings.repository);
    writeChecks(paths, { ...readChecks(paths), finishedAt: deps.now(), result: summary(outcome) });
    return outcome;
  } catch (err) {
    // A full disk can fail even the bookkeeping above; the running version is untouched.
    const why = errorText(err);
    deps.log({ type: 'failed', during: 'updating', why, running: label(deps) });
    return { result: 'failed', why, cause: 'state' };
  } finally {
    lock.release();
  }
}

async function underLock(deps: UpdateDeps, mode: UpdateMode, url: string): Promise<UpdateOutcome> {
  const running = deps.running.version;
  const log = (e: UpdateEvent) => deps.log(e);
  log({ type: 'check', mode: mode.kind === 'auto' ? 'auto' : 'manual', repository: url, running: label(deps) });
  fs.rmSync(deps.paths.staging, { recursive: true, force: true }); // leftovers of an updater that died

  let versions: string[];
  try {
    versions = await deps.source(url).listVersions();
  } catch (err) {
    const why = `cannot read the release repository ${url}: ${errorText(err)}`;
    log({ type: 'failed', during: 'listing releases', why, running: label(deps) });
    return { result: 'unavailable', why };
  }
  const latest = versions[0];
  let target: string | undefined;
  if (mode.kind === 'version') {
    if (!versions.includes(mode.version)) {
      const why = `${url} has no release ${mode.version} (tag v${mode.version}); latest is ${latest ?? 'none'}`;
      log({ type: 'failed', during: 'choosing a release', why, running: label(deps) });
      return { result: 'unavailable', why };
    }
    if (mode.version !== running) target = mode.version;
  } else {
    // Never a downgrade; a version rolled back from is passed over by automatic updates.
    const floor = mode.kind === 'auto' ? newest([running, readCurrent(deps.paths)?.skipThrough]) : running;
    if (latest && compareVersions(latest, floor!) > 0) target = latest;
  }
  if (!target) {
    log({ type: 'up-to-date', running: label(deps), latest });
    return { result: 'up-to-date', running: label(deps), latest };
  }
  log({ type: 'found', version: target, running: label(deps) });
  return fetchAndInstall(deps, url, target, mode);
}

async function fetchAndInstall(deps: UpdateDeps, url: string, version: string, mode: UpdateMode): Promise<UpdateOutcome> {
  const { paths } = deps;
  // Logged once the staging files are gone: on a full disk that makes room for the line.
  const pending: UpdateEvent[] = [];
  // Trouble with the repository, or with the state dir (full disk, permissions)?
  const fail = (during: string, err: unknown, cause: 'state' | 'repository' = 'state'): UpdateOutcome => {
    const why = errorText(err);
    pending.push({ type: 'failed', during, why, running: label(deps) });
    return { result: 'failed', why: `${during}: ${why}`, cause: /no space/i.test(why) ? 'state' : cause };
  };
  const reject = (why: string): UpdateOutcome => {
    pending.push({ type: 'rejected', version, why, running: label(deps) });
    return { result: 'rejected', version, why };
  };

  let scratch: string | undefined;
  let outcome: UpdateOutcome;
  try {
    const free = deps.freeBytes(paths.dir);
    if (free < deps.minFreeBytes) {
      throw new Error(`only ${mib(free)} free in ${paths.dir}; an update needs ${mib(deps.minFreeBytes)} (No space left on device)`);
    }
    ensurePrivateDir(paths.staging);
    scratch = fs.mkdtempSync(path.join(paths.staging, `${version}-`));
    outcome = await stageAndInstall(deps, { url, version, mode, scratch, fail, reject, pending });
  } catch (err) {
    outcome = fail('preparing the download', err);
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const event of pending) deps.log(event);
  return outcome;
}

interface Stage {
  url: string;
  version: string;
  mode: UpdateMode;
  scratch: string;
  fail(during: string, err: unknown, cause?: 'state' | 'repository'): UpdateOutcome;
  reject(why: string): UpdateOutcome;
  pending: UpdateEvent[];
}

async function stageAndInstall(deps: UpdateDeps, { url, version, mode, scratch, fail, reject, pending }: Stage): Promise<UpdateOutcome> {
  const release = path.join(scratch, 'release');
  let commit: string;
  try {
    fs.mkdirSync(release, { mode: 0o700 });
    ({ commit } = await deps.source(url).fetch(version, release, scratch));
  } catch (err) {
    if (err instanceof ReleaseRejected) return reject(err.message);
    return fail(`fetching v${version}`, err, 'repository');
  }
  try {
    readRelease(release, deps.key!, version);
  } catch (err) {
    if (err instanceof ReleaseRejected) return reject(err.message);
    return fail(`reading v${version}`, err);
  }
  try {
    await deps.selfCheck(release, version);
  } catch (err) {
    return reject(errorText(err));
  }
  try {
    const done = installRelease(deps, { version, dir: release, commit, url, pinned: mode.kind === 'version' });
    pending.push({ type: 'installed', version, previous: label(deps) });
    if (done.pruned.length) pending.push({ type: 'pruned', versions: done.pruned });
    return { result: 'installed', version, previous: label(deps) };
  } catch (err) {
    return fail(`installing ${version}`, err);
  }
}

function skip(deps: UpdateDeps, result: 'skipped' | 'busy' | 'unavailable', why: string): UpdateOutcome {
  deps.log({ type: 'skipped', why });
  return { result, why };
}

/** How the running copy is named in messages: "0.2.0" or "built-in 0.1.0". */
export function label(deps: Pick<UpdateDeps, 'running'>): string {
  return deps.running.source === 'built-in' ? `built-in ${deps.running.version}` : deps.running.version;
}

function summary(outcome: UpdateOutcome): string {
  switch (outcome.result) {
    case 'installed':
      return formatUpdateEvent({ type: 'installed', version: outcome.version, previous: outcome.previous });
    case 'up-to-date':
      return formatUpdateEvent({ type: 'up-to-date', running: outcome.running, latest: outcome.latest });
    case 'rejected':
      return `rejected ${outcome.version}: ${outcome.why}`;
    default:
      return `${outcome.result}: ${outcome.why}`;
  }
}

export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = (e?.message ?? String(err)).trim().split('\n').filter(Boolean).slice(0, 3).join(' / ');
  return e?.code === 'ENOSPC' && !/no space/i.test(text) ? `${text} (No space left on device)` : text;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
