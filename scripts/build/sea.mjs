// Node single-executable application: blob from the bundle, then a stripped
// copy of an official Node binary with the blob injected by postject.
import { execFile } from 'node:child_process';
import { chmod, copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stripElf } from './elf-strip.mjs';

const run = promisify(execFile);
// `injector` runs postject as its own process: scripts/build/inject.cjs, or
// its bundled copy in the laptop package (dist/sea/inject.cjs). Passed in, as
// the laptop's bundle has no import.meta to find it by.
// LIEF (inside postject) logs these for every note section of a Node binary;
// they are harmless. Anything else on its stderr is shown.
const HARMLESS = /^warning: Can't find string offset for section name '\.note(\.\d+)?'$/;

// A user's NODE_OPTIONS must not change how the build's own tools behave.
function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

// A V8 code cache saves compiling the bundle on every start (~9 ms of ~31 ms
// for `--version`, and of every warm connect). It can only be made by the same
// V8 on the same CPU, so only the x64 blob (made by the x64 Node) has one. The
// price: such a blob is not byte-reproducible.
// execArgvExtension "none": the user's NODE_OPTIONS (meant for their own Node)
// is ignored, so it can neither break the program nor make V8 reject the cache.
export async function makeBlob({ node, main, dir, codeCache }) {
  const config = join(dir, `sea-config${codeCache ? '-cached' : ''}.json`);
  const output = join(dir, `sea${codeCache ? '-cached' : ''}.blob`);
  await writeFile(
    config,
    JSON.stringify({ main, output, disableExperimentalSEAWarning: true, useCodeCache: Boolean(codeCache), useSnapshot: false, execArgvExtension: "none" }),
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
export async function makeExecutable({ node, blob, out, injector }) {
  const tmp = `${out}.tmp`;
  await rm(tmp, { force: true });
  const stripped = stripElf(await readFile(node));
  if (stripped) await writeFile(tmp, stripped);
  else await copyFile(node, tmp);

  let result;
  try {
    result = await run(process.execPath, [injector, tmp, blob], { env: cleanEnv(), maxBuffer: 16 << 20 });
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
