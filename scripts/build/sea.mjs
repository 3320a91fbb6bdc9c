// Node single-executable application: a stripped copy of an official Node
// binary with the SEA blob (sea-blob.mjs) injected by postject. Also run on
// the laptop (setup/remote-binary.ts), so nothing here needs import.meta.
import { execFile } from 'node:child_process';
import { chmod, copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
export function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

// Writes `out` (mode 755) from the Node binary `node` and the SEA `blob`.
// Returns whether the binary was stripped and postject's unexpected output.
export async function makeExecutable({ node, blob, out, injector }) {
  // One temporary file per process: two makers of the same executable (two laptop setups) do not meet.
  const tmp = `${out}.${process.pid}.tmp`;
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
