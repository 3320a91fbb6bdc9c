// Paths of the `npm run build` outputs; a missing one fails with what to do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const CJS = path.join(DIST, 'remote.cjs');
export const SEA = { x64: path.join(DIST, 'remote-linux-x64'), arm64: path.join(DIST, 'remote-linux-arm64') };
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
export const CAN_RUN_X64 = process.platform === 'linux' && process.arch === 'x64';

export function artifact(file: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`${path.relative(ROOT, file)} is missing: run "npm run build" before the build tests`);
  }
  return file;
}

// An environment with no Node.js reachable: PATH and HOME are an empty
// directory and nothing from the caller's environment (NODE_OPTIONS, ...)
// leaks in. Call `remove` when done.
export function envWithoutNode(): { env: NodeJS.ProcessEnv; remove: () => void } {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-nonode-'));
  return {
    env: { PATH: empty, HOME: empty, LANG: 'C' },
    remove: () => fs.rmSync(empty, { recursive: true, force: true }),
  };
}
