// One user's world for the updater tests: a home with config.ini and a state
// dir, a bare release repository, and `remote` = a test build run by node
// (the single-executable case is test/build/update-sea.test.ts). PATH holds
// git and sh only: the updater needs nothing else.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { publishRelease } from '../../../src/update/index.js';
import type { ReleaseFiles } from '../../../src/update/index.js';
import type { KeyPair } from './builds.js';

export interface World {
  dir: string;
  home: string;
  state: string;
  updateDir: string;
  log: string;
  repo: string;
  url: string;
  env: NodeJS.ProcessEnv;
}

export function toolsPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of ['git', 'sh']) {
    const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((f) => fs.existsSync(f));
    if (!found) throw new Error(`${tool} is not installed`);
    fs.symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

export function makeWorld(dir: string, config = ''): World {
  const home = path.join(dir, 'home');
  const repo = path.join(dir, 'releases.git');
  fs.mkdirSync(path.join(home, '.config', 'slurmhop'), { recursive: true });
  spawnSync('git', ['init', '-q', '--bare', repo], { stdio: 'ignore' });
  const url = `file://${repo}`;
  fs.writeFileSync(path.join(home, '.config', 'slurmhop', 'config.ini'), `[update]\nrepository = ${url}\n${config}`);
  const state = path.join(home, '.local', 'state', 'slurmhop');
  return {
    dir,
    home,
    state,
    updateDir: path.join(state, 'update'),
    log: path.join(state, 'update', 'update.log'),
    repo,
    url,
    env: { HOME: home, PATH: toolsPath(dir), LANG: 'C' },
  };
}

export function remote(w: World, launcher: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [launcher, ...args], { env: { ...w.env, ...env }, cwd: w.home, encoding: 'utf8', timeout: 60_000 });
}

export function remoteAsync(w: World, launcher: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, ...args], { env: w.env, cwd: w.home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export const versionOf = (w: World, launcher: string) => remote(w, launcher, ['--version']).stdout.trim();

export function readLog(w: World): string {
  return fs.existsSync(w.log) ? fs.readFileSync(w.log, 'utf8') : '';
}

export async function release(
  w: World,
  key: KeyPair,
  version: string,
  bundleFile: string,
  tamper?: (files: ReleaseFiles) => ReleaseFiles,
): Promise<void> {
  await publishRelease({ repo: w.repo, version, bundle: fs.readFileSync(bundleFile), privateKeyPem: key.privateKey, force: true, ...(tamper ? { tamper } : {}) });
}
