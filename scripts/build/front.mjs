// The front of `remote` (src/front/): its text made by the same TypeScript
// that the executable refreshes an installed front with, bundled with the
// build's constants (so it names this build's version) and run once.
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundle } from './bundle.mjs';

export async function makeFront({ absWorkingDir, out, work, version, releaseKey }) {
  const printer = join(work, 'front-print.cjs');
  await bundle({ entry: 'src/front/print.ts', outfile: printer, absWorkingDir, version, releaseKey, target: 'node20' });
  const { stdout } = await promisify(execFile)(process.execPath, [printer], { maxBuffer: 1 << 20, env: { PATH: process.env.PATH ?? '' } });
  if (!stdout.startsWith('#!/bin/bash')) throw new Error(`the front's text does not start as a bash script: ${stdout.slice(0, 80)}`);
  await writeFile(out, stdout, { mode: 0o755 });
  await chmod(out, 0o755);
  return out;
}
