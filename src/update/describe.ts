// What `remote --version --verbose` and `remote check` say about the running
// copy, the installed releases and the automatic updates.
import fs from 'node:fs';
import path from 'node:path';
import { print } from '../output.js';
import type { Config } from '../config/index.js';
import { configDir, stateDir } from '../paths.js';
import { readChecks } from './checks.js';
import { loadSettings } from './settings.js';
import { readOrigin } from './install.js';
import { listInstalled, readCurrent } from './installed.js';
import { OPT_OUT_FILE, updatePaths, type UpdatePaths } from './paths.js';
import { BUILD_KIND, keyFingerprint, RELEASE_KEY } from './release-key.js';
import { runningProgram, type Running } from './running.js';

export function describeRunning(running: Running, paths: UpdatePaths): string[] {
  const lines: string[] = [];
  if (running.source === 'built-in') {
    lines.push(`running:    the executable's built-in copy${running.fallback ? ` (installed release not used: ${running.fallback})` : ''}`);
  } else {
    const origin = running.dir ? readOrigin(running.dir) : undefined;
    lines.push(`running:    ${running.source === 'explicit' ? 'the release given with --bundle' : 'installed release'} in ${running.dir}`);
    if (origin) lines.push(`from:       ${origin.tag} (commit ${origin.commit.slice(0, 12)}) of ${origin.repository}, installed ${origin.installedAt}`);
  }
  const script = running.launcher.script ? ` ${running.launcher.script}` : '';
  lines.push(`executable: ${running.launcher.executable}${script} (built-in copy ${running.launcher.version}, Node.js ${process.versions.node})`);
  if (running.codeCache) lines.push(`code cache: ${running.codeCache === 'accepted' ? 'used' : 'rejected by V8 (the program was compiled as it ran)'}`);
  lines.push(`release key: ${RELEASE_KEY ? `ed25519 ${keyFingerprint(RELEASE_KEY)}` : 'none (not a release build: no updates)'}${BUILD_KIND === 'test' ? ' (TEST BUILD)' : ''}`);
  const current = readCurrent(paths);
  const installed = listInstalled(paths);
  lines.push(`installed:  ${installed.length ? installed.join(', ') : 'none'} in ${paths.versions}`);
  if (current?.previous !== undefined) lines.push(`rollback:   "remote rollback" returns to ${current.previous ?? `the built-in ${running.launcher.version}`}`);
  if (current?.skipThrough) lines.push(`held back:  automatic updates skip releases up to ${current.skipThrough}`);
  return lines;
}

export function describeAutomatic(settings: Config['update'], paths: UpdatePaths, config = configDir()): string[] {
  const optOut = path.join(config, OPT_OUT_FILE);
  const state = !settings.autoUpdate
    ? 'off (auto_update = false)'
    : fs.existsSync(optOut)
      ? `off (${optOut} exists)`
      : !settings.repository
        ? 'off (no repository in [update])'
        : `on, at most every ${formatInterval(settings.checkInterval)}, started by "remote proxy"`;
  const checks = readChecks(paths);
  const lines = [`repository: ${settings.repository ?? 'none (set "repository" in the [update] section of config.ini)'}`, `automatic:  ${state}`];
  if (checks.finishedAt) lines.push(`last check: ${new Date(checks.finishedAt).toISOString()}: ${checks.result ?? ''}`);
  lines.push(`log:        ${paths.log}`);
  return lines;
}

export function formatInterval(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function printVersionVerbose(version: string): void {
  const running = runningProgram(version);
  const paths = updatePaths(stateDir());
  let settings: Config['update'] | undefined;
  let settingsError = '';
  try {
    settings = loadSettings();
  } catch (err) {
    settingsError = (err as Error).message;
  }
  print(`slurmhop ${version}`);
  const lines = [...describeRunning(running, paths), ...(settings ? describeAutomatic(settings, paths) : [`config:     ${settingsError}`])];
  for (const line of lines) print(`  ${line}`);
}
