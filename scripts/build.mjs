// npm run build [-- --arch x64|arm64|all]
// Writes dist/remote.cjs (the program as one CommonJS bundle),
// dist/remote-linux-<arch> (Node single-executable applications that need no
// Node.js on the cluster), dist/remote-front (the bash front installed before
// the executable: src/front/) and dist/SHA256SUMS; and what the installed
// laptop package needs: dist/laptop/slurmhop.cjs (the laptop command) and
// dist/sea/ (the SEA blobs, their injector, the front, the checksums of the
// executables they make, so the package makes the same executables on first
// use). Only the npm registry is used.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundle } from './build/bundle.mjs';
import { ARCHES, NODE_VERSION, nodeBinary } from './build/node-binary.mjs';
import { makeBlob } from './build/sea-blob.mjs';
import { makeExecutable } from './build/sea.mjs';
import { makeFront } from './build/front.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const cache = join(root, '.cache', 'node');
const started = performance.now();

function parseArgs(argv) {
  let arch = 'all';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--arch' && i + 1 < argv.length) arch = argv[++i];
    else if (a.startsWith('--arch=')) arch = a.slice(7);
    else if (a === '-h' || a === '--help') {
      process.stderr.write('usage: node scripts/build.mjs [--arch x64|arm64|all]\n');
      process.exit(0);
    } else throw new UsageError(`unknown argument: ${a}`);
  }
  if (arch === 'all') return ARCHES;
  if (!ARCHES.includes(arch)) throw new UsageError(`--arch must be one of ${ARCHES.join(', ')}, all`);
  return [arch];
}

class UsageError extends Error {}

async function main() {
  const arches = parseArgs(process.argv.slice(2));
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const rows = [];
  const time = async (fn) => {
    const t = performance.now();
    const value = await fn();
    return { value, secs: (performance.now() - t) / 1000 };
  };

  await mkdir(dist, { recursive: true });
  // dist holds the last build only: no stale binary of another arch or version.
  for (const f of ['remote.cjs', 'remote-front', 'SHA256SUMS', 'laptop', 'sea', ...ARCHES.map((a) => `remote-linux-${a}`)]) {
    await rm(join(dist, f), { recursive: true, force: true });
  }
  const sea = join(dist, 'sea');
  await mkdir(sea, { recursive: true });

  const cjs = join(dist, 'remote.cjs');
  // The x64 binary also generates the blob (same Node version as the SEA).
  const needed = [...new Set(['x64', ...arches])];
  const laptopCjs = join(dist, 'laptop', 'slurmhop.cjs');
  const injector = join(sea, 'inject.cjs');
  const [bundled, laptopBundled, , ...nodes] = await Promise.all([
    time(() => bundle({ entry: 'src/cli/entry.ts', outfile: cjs, absWorkingDir: root })),
    // The laptop's own Node runs these: package.json's engines.
    time(() => bundle({ entry: 'src/laptop/entry.ts', outfile: laptopCjs, absWorkingDir: root, target: 'node20' })),
    bundle({ entry: 'scripts/build/inject.cjs', outfile: injector, absWorkingDir: root, target: 'node20' }),
    ...needed.map((a) => nodeBinary(a, cache)),
  ]);
  rows.push([cjs, bundled.secs, ''], [laptopCjs, laptopBundled.secs, 'the laptop command']);
  const nodeOf = Object.fromEntries(needed.map((a, i) => [a, nodes[i].bin]));
  const fetched = needed.filter((a, i) => nodes[i].fetched);

  const work = await mkdtemp(join(tmpdir(), 'slurmhop-build-'));
  try {
    const frontOut = join(dist, 'remote-front');
    const front = await time(() => makeFront({ absWorkingDir: root, out: frontOut, work }));
    await copyFile(frontOut, join(sea, 'remote-front'));
    await chmod(join(sea, 'remote-front'), 0o755);
    rows.push([frontOut, front.secs, 'the front of remote (bash)']);
    const maker = blobMaker(nodeOf.x64);
    // The code cache is V8's for one CPU: only the x64 blob, made by the x64 Node itself, gets one.
    const firstScript = join(work, 'first-script.cjs');
    await bundle({ entry: 'src/cli/first-script.ts', outfile: firstScript, absWorkingDir: root });
    const blobs = {
      x64: await makeBlob({ node: maker, front: firstScript, program: cjs, dir: work, codeCache: maker === nodeOf.x64 }),
      arm64: await makeBlob({ node: maker, front: firstScript, program: cjs, dir: work, codeCache: false }),
    };
    // The laptop package makes the executables from these (setup/remote-binary.ts).
    for (const arch of ARCHES) {
      await copyFile(blobs[arch], join(sea, `remote-linux-${arch}.blob`));
      await chmod(join(sea, `remote-linux-${arch}.blob`), 0o644);
    }
    const built = await Promise.all(
      arches.map(async (arch) => {
        const out = join(dist, `remote-linux-${arch}`);
        const { value, secs } = await time(() => makeExecutable({ node: nodeOf[arch], blob: blobs[arch], out, injector }));
        return { arch, out, secs, ...value };
      }),
    );
    for (const b of built) {
      for (const w of b.warnings) process.stderr.write(`build: postject (${b.arch}): ${w}\n`);
      if (b.arch === 'x64' && canRunX64()) await smokeTest(b.out, `slurmhop ${version}\n`, work);
      rows.push([b.out, b.secs, b.stripped ? `node ${NODE_VERSION}, stripped` : `node ${NODE_VERSION}, NOT stripped`]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const sums = [];
  for (const [file] of rows) sums.push(`${await sha256(file)}  ${relative(dist, file)}\n`);
  await writeFile(join(dist, 'SHA256SUMS'), sums.join(''));
  // The executables the package will make, by the same recipe: they must come out byte for byte; and the front it installs.
  await writeFile(join(sea, 'SHA256SUMS'), sums.filter((l) => /remote-linux-|remote-front/.test(l)).join(''));

  for (const [file, secs, note] of rows) {
    const mb = ((await stat(file)).size / 2 ** 20).toFixed(1).padStart(6);
    const name = relative(root, file).padEnd(24);
    process.stderr.write(`build: ${name} ${mb} MiB  ${secs.toFixed(1).padStart(4)} s${note ? `  (${note})` : ''}\n`);
  }
  const from = fetched.length ? `fetched ${fetched.map((a) => `node-linux-${a}`).join(', ')} from npm` : 'node binaries cached';
  process.stderr.write(`build: dist/SHA256SUMS; done in ${((performance.now() - started) / 1000).toFixed(1)} s (${from})\n`);
}

function canRunX64() {
  return process.platform === 'linux' && process.arch === 'x64';
}

// The blob must come from the same Node version as the binaries; the pinned
// x64 binary runs only on a linux x64 host.
function blobMaker(x64) {
  if (canRunX64()) return x64;
  if (process.version === `v${NODE_VERSION}`) return process.execPath;
  throw new Error(`building the SEA needs a linux x64 host or Node ${NODE_VERSION} to run this script`);
}

// The artifact must answer --version with no Node.js and no NODE_OPTIONS
// around, and as its own built-in copy: an empty home, so no installed release.
async function smokeTest(bin, expected, home) {
  let r;
  try {
    r = await promisify(execFile)(bin, ['--version'], { env: { HOME: home }, cwd: home, timeout: 30_000 });
  } catch (err) {
    throw new Error(`${bin} --version failed: ${err.stderr || err.message}`);
  }
  if (r.stdout !== expected || r.stderr !== '') {
    throw new Error(`${bin} --version: expected ${JSON.stringify(expected)} on stdout and nothing on stderr, ` +
      `got stdout ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`);
  }
}

async function sha256(file) {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

main().catch((err) => {
  process.stderr.write(`build: ${err instanceof UsageError ? '' : 'failed: '}${err.message}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
