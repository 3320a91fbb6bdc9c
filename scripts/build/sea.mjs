// Node single-executable application: blob from the bundle, then a stripped
// copy of an official Node binary with the blob injected by postject.
import { execFile } from 'node:child_process';
import { chmod, copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stripElf } from './elf-strip.mjs';

const run = promisify(execFile);
const INJECT = fileURLToPath(new URL('./inject.cjs', import.meta.url));
// LIEF (inside postject) logs these for every note section of a Node binary;
// they are harmless. Anything else on its stderr is shown.
const HARMLESS = /^warning: Can't find string offset for section name '\.note(\.\d+)?'$/;

// A user's NODE_OPTIONS must not change how the build's own tools behave.
function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

// No code cache: V8 rejects a cache made by the x64 binary on arm64, a cache
// is not byte-reproducible, and whenever the user's NODE_OPTIONS holds a V8
// flag (--max-old-space-size=...) the SEA prints "Code cache data rejected" on
// every start. It would save ~15 ms of `--version`'s ~40 ms.
export async function makeBlob({ node, main, dir }) {
  const config = join(dir, 'sea-config.json');
  const output = join(dir, 'sea.blob');
  await writeFile(
    config,
    JSON.stringify({ main, output, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false }),
  );
  try {
    await run(node, ['--experimental-sea-config', config], { cwd: dir, env: cleanEnv() });
  } catch (err) {
    throw new Error(`SEA blob generation failed:\n${err.stderr || ''}${err.stdout || ''}${err.message}`);
  }
  return output;
}

// Writes `out` (mode 755) from the Node binary `node` and the SEA `blob`.
// Returns whether the binary was stripped and postject's unexpected output.
export async function makeExecutable({ node, blob, out }) {
  const tmp = `${out}.tmp`;
  await rm(tmp, { force: true });
  const stripped = stripElf(await readFile(node));
  if (stripped) await writeFile(tmp, stripped);
  else await copyFile(node, tmp);

  let result;
  try {
    result = await run(process.execPath, [INJECT, tmp, blob], { env: cleanEnv(), maxBuffer: 16 << 20 });
  } catch (err) {
    result = err;
  }
  const noise = `${result.stdout || ''}${result.stderr || ''}`
    .split('\n')
    .filter((l) => l.trim() && !HARMLESS.test(l.trim()));
  if (result instanceof Error) {
    await rm(tmp, { force: true });
    throw new Error(`postject failed for ${out}:\n${noise.join('\n') || result.message}`);
  }
  await chmod(tmp, 0o755);
  await rename(tmp, out);
  return { stripped: Boolean(stripped), warnings: noise };
}
