// Official Node binaries from the npm registry (never installed: their
// `bin: node` would shadow node in npm scripts, and npm refuses other CPUs).
// `npm pack` fetches the tarball, its sha512 is checked against the pinned
// value, and the extracted bin/node is cached next to it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pins from './node-binaries.json' with { type: 'json' };
import { extractFile } from './tar.mjs';

export const NODE_VERSION = pins.version;
export const ARCHES = ['x64', 'arm64'];

// Path of the cached, verified Node binary for `arch`; `fetched` tells whether
// the registry was asked.
export async function nodeBinary(arch, cacheDir) {
  const pin = pins[arch];
  if (!pin) throw new Error(`no pinned Node binary for arch ${arch}`);
  const base = `${pin.package}-${pins.version}`;
  const tgz = join(cacheDir, `${base}.tgz`);
  const bin = join(cacheDir, base, 'node');
  const stamp = `${bin}.ok`;
  await mkdir(join(cacheDir, base), { recursive: true });

  // The stamp records which tarball the binary came from and its size.
  const want = `${pin.integrity} ${await size(tgz)}`;
  if ((await readText(stamp)) === `${want} ${await size(bin)}`) return { bin, fetched: false };

  let fetched = false;
  if ((await size(tgz)) === -1 || (await integrity(tgz)) !== pin.integrity) {
    await npmPack(`${pin.package}@${pins.version}`, cacheDir, tgz);
    fetched = true;
  }
  const got = await integrity(tgz);
  if (got !== pin.integrity) {
    await rm(tgz, { force: true });
    throw new Error(`${pin.package}@${pins.version}: integrity mismatch\n  expected ${pin.integrity}\n  got      ${got}`);
  }
  const tmp = `${bin}.tmp`;
  await extractFile(tgz, 'package/bin/node', tmp);
  await chmod(tmp, 0o755);
  await rename(tmp, bin);
  await writeFile(stamp, `${pin.integrity} ${await size(tgz)} ${await size(bin)}`);
  return { bin, fetched };
}

async function npmPack(spec, cacheDir, dest) {
  const tmp = await mkdtemp(join(cacheDir, '.pack-'));
  try {
    // On Windows npm is a batch file that only cmd.exe runs: one command line of plain words
    // (the package is written to cwd, so no path with a space is on it).
    const args = ['pack', spec, '--json', '--ignore-scripts'];
    const windows = process.platform === 'win32';
    let stdout;
    try {
      ({ stdout } = await promisify(execFile)(windows ? ['npm.cmd', ...args].join(' ') : 'npm', windows ? [] : args, {
        cwd: tmp,
        maxBuffer: 64 << 20,
        shell: windows,
      }));
    } catch (err) {
      throw new Error(`npm pack ${spec} failed:\n${err.stderr || err.message}`);
    }
    const [info] = JSON.parse(stdout);
    await rename(join(tmp, info.filename), dest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function integrity(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

async function size(file) {
  return stat(file).then((s) => s.size, () => -1);
}

async function readText(file) {
  return readFile(file, 'utf8').catch(() => '');
}
