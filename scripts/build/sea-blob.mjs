// The SEA blob: the executable's first script (src/cli/first-script.ts bundled: the
// launcher, --version and the warm path) as its main, and the whole program
// (dist/remote.cjs, byte for byte) as an asset that the first script runs when
// no fast path applies, with a V8 code cache of it.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PROGRAM_ASSET, PROGRAM_CACHE_ASSET } from './sea-assets.mjs';
import { cleanEnv } from './sea.mjs';

const run = promisify(execFile);
export const EXEC_ARGV = ['--jitless', '--no-expose-wasm'];
const CACHE_MAKER = fileURLToPath(new URL('./program-cache.mjs', import.meta.url));

// A V8 code cache saves compiling on every start. It can only be made by the
// same V8 on the same CPU, so only the x64 blob (made by the x64 Node) has
// them: the first script's (useCodeCache) and the program's (program-cache.mjs).
// The price: such a blob is not byte-reproducible.
// execArgvExtension "none": the user's NODE_OPTIONS (meant for their own Node)
// is ignored, so it can neither break the program nor make V8 reject a cache.
// --jitless (with --no-expose-wasm, which it implies, said so V8 does not warn): V8 reserves no 512 MB code range (the interpreter alone runs, as
// fast for this program's short starts), so the program runs under the
// address-space limits login nodes set (ulimit -v 1 GiB; README). The code
// caches are made with the same flag: V8 takes a cache only from its own flags.
export async function makeBlob({ node, front, program, dir, codeCache }) {
  const tag = codeCache ? '-cached' : '';
  const config = join(dir, `sea-config${tag}.json`);
  const output = join(dir, `sea${tag}.blob`);
  const assets = { [PROGRAM_ASSET]: program };
  if (codeCache) {
    assets[PROGRAM_CACHE_ASSET] = join(dir, `program${tag}.cache`);
    await runNode(node, [...EXEC_ARGV, CACHE_MAKER, program, assets[PROGRAM_CACHE_ASSET]], 'the program\'s code cache');
  }
  await writeFile(
    config,
    JSON.stringify({ main: front, output, assets, disableExperimentalSEAWarning: true, useCodeCache: Boolean(codeCache), useSnapshot: false, execArgv: EXEC_ARGV, execArgvExtension: 'none' }),
  );
  await runNode(node, [...EXEC_ARGV, '--experimental-sea-config', config], 'SEA blob generation', dir);
  return output;
}

async function runNode(node, args, what, cwd) {
  try {
    await run(node, args, { cwd, env: cleanEnv() });
  } catch (err) {
    throw new Error(`${what} failed:\n${err.stderr || ''}${err.stdout || ''}${err.message}`);
  }
}
