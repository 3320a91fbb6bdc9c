// The single executable's first script (its SEA main): the launcher, then
// `--version` and the warm path of `remote proxy` with only the few modules
// they need. Anything else runs the executable's built-in copy of the whole
// program, stored beside this script as a SEA asset with its V8 code cache:
// compiling 0.7 MB on every start is what this script spares the fast paths.
import path from 'node:path';
import { PROGRAM_ASSET, PROGRAM_CACHE_ASSET } from '../../scripts/build/sea-assets.mjs';
import type { Running } from '../update/running.js';
import { runBundle } from '../update/run-bundle.js';
import { mark } from '../timing.js';
import { runFastPath } from './fast-path.js';
import { start } from './start.js';


function runBuiltInProgram(args: string[], running: Running): void {
  const sea = require('node:sea') as typeof import('node:sea');
  let cachedData: Buffer | undefined;
  try {
    cachedData = Buffer.from(sea.getAsset(PROGRAM_CACHE_ASSET));
  } catch {
    cachedData = undefined; // a build without one (aarch64): compiled as it runs
  }
  const source = sea.getAsset(PROGRAM_ASSET, 'utf8');
  runBundle({ source, filename: path.join(path.dirname(process.execPath), PROGRAM_ASSET), require, cachedData }, { running: { ...running, fastPathsTried: true }, args });
}

mark('first-script');
start((args, running) => runFastPath(args, () => runBuiltInProgram(args, running)));
