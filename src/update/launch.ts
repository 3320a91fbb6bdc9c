// The launcher: the first code of every start. It picks which copy of the
// program runs: the installed release that current.json names, if it verifies
// against the built-in key (read, checked and compiled from the same bytes),
// else the executable's built-in copy. Runs on every `remote` start, `--version`
// included, so it loads only fs, path, crypto, vm and module.
import fs from 'node:fs';
import type * as Module from 'node:module';
import path from 'node:path';
import { SlurmhopError } from '../errors.js';
import { stateDir } from '../paths.js';
import type { VerifiedRelease } from './installed.js';
import { createUpdateLog } from './log.js';
import { RELEASE_FILES, updatePaths } from './paths.js';
import { RELEASE_KEY } from './release-key.js';
import { runBundle } from './run-bundle.js';
import { scriptPart, setRunning, takeHandover, type Running } from './running.js';

export interface BuiltIn {
  version: string;
  /** Runs this bundle's own program. */
  run(args: string[], running: Running): void;
}

/** Throws SlurmhopError only for `--bundle DIR` that does not verify. */
export function launch(argv: string[], builtin: BuiltIn, env: NodeJS.ProcessEnv = process.env): void {
  const handed = takeHandover();
  if (handed) return start(builtin, handed.args, handed.running);

  const base = { protocol: 1 as const, launcher: { version: builtin.version, executable: process.execPath, ...scriptPart() } };
  if (argv[0] === '--bundle') return runExplicit(argv, base);

  let fallback: string | undefined;
  const installed = pickInstalled(builtin.version, env);
  if (installed && 'release' in installed) {
    const running: Running = { ...base, version: installed.release.manifest.version, source: 'installed', dir: installed.release.dir };
    try {
      return load(installed.release, argv, running);
    } catch (err) {
      fallback = `it failed to load: ${(err as Error).message}`;
    }
  } else if (installed) {
    fallback = installed.fallback;
  }
  if (fallback && installed) {
    const version = 'release' in installed ? installed.release.manifest.version : installed.version;
    createUpdateLog(updatePaths(stateDir(env)).log)({ type: 'fallback', version, why: fallback, running: `built-in ${builtin.version}` });
    process.stderr.write(`slurmhop: warning: installed ${version} cannot run (${fallback}); running the built-in ${builtin.version}\n`);
  }
  start(builtin, argv, { ...base, version: builtin.version, source: 'built-in', ...(fallback ? { fallback } : {}) });
}

function start(builtin: BuiltIn, args: string[], running: Running): void {
  setRunning(running);
  builtin.run(args, running);
}

type Picked = { release: VerifiedRelease } | { version: string; fallback: string } | undefined;

const installedModule = () => require('./installed.js') as typeof import('./installed.js');

function pickInstalled(builtinVersion: string, env: NodeJS.ProcessEnv): Picked {
  if (!RELEASE_KEY) return undefined;
  let version: string | null = null;
  try {
    const paths = updatePaths(stateDir(env));
    if (!fs.existsSync(paths.current)) return undefined; // the common case: nothing installed
    const { chosenVersion, readCurrent, readInstalled } = installedModule();
    version = chosenVersion(readCurrent(paths), builtinVersion);
    if (!version) return undefined;
    return { release: readInstalled(paths, version, RELEASE_KEY) };
  } catch (err) {
    return version ? { version, fallback: (err as Error).message } : undefined;
  }
}

// `remote --bundle DIR ARGS...` runs the release in DIR: the updater's
// self-check of a release before it is installed. It must verify too.
function runExplicit(argv: string[], base: Omit<Running, 'version' | 'source'>): void {
  const dir = argv[1];
  if (!dir) throw new SlurmhopError('usage', '--bundle needs a release directory');
  if (!RELEASE_KEY) throw new SlurmhopError('update-rejected', 'this build has no release key, so it runs no release');
  let release: VerifiedRelease;
  try {
    release = installedModule().readRelease(path.resolve(dir), RELEASE_KEY);
  } catch (err) {
    throw new SlurmhopError('update-rejected', `${dir}: not a verified release: ${(err as Error).message}`);
  }
  load(release, argv.slice(2), { ...base, version: release.manifest.version, source: 'explicit', dir: release.dir });
}

// Compiles the verified bytes themselves (not the file again) as a CommonJS
// module. A single executable's own require() loads only built-ins; this one
// can, and the bundle needs nothing else.
function load(release: VerifiedRelease, args: string[], running: Running): void {
  const { createRequire } = require('node:module') as typeof Module;
  const file = path.join(release.dir, RELEASE_FILES.bundle);
  runBundle({ source: release.bundle.toString('utf8'), filename: file, require: createRequire(file) }, { running, args });
}
