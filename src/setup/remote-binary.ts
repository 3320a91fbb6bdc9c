// Where the wizard gets the `remote` executable for the login node's
// architecture. From a checkout: `npm run build`'s dist/remote-linux-<arch>.
// From the installed package (no checkout, no build): it is made on first use
// the way the build makes it (scripts/build: the official Node package from
// the npm registry, integrity pinned, stripped, the packaged SEA blob injected),
// checked against the checksum the build recorded, and cached for later runs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nodeBinary } from '../../scripts/build/node-binary.mjs';
import { makeExecutable } from '../../scripts/build/sea.mjs';
import { processExists } from '../state/index.js';
import { setupError } from './errors.js';
import { onInterrupt } from './interrupt.js';

export type RemoteArch = 'x64' | 'arm64';

export interface LocalBinary {
  file: string;
  sha256: string;
}

export interface RemoteBinarySource {
  /** The executable's name and checksum, without making it (a dry run). */
  expected(arch: RemoteArch): Promise<{ name: string; sha256: string }>;
  /** The executable; `progress` says what a first use takes time on (`ongoing`: a line that is rewritten as it goes). */
  get(arch: RemoteArch, progress: (message: string, ongoing?: boolean) => void): Promise<LocalBinary>;
  /** The front of remote (the build's dist/remote-front), the same for every architecture. */
  front(): Promise<LocalBinary>;
}

const FRONT_NAME = 'remote-front';

/** `dir`/remote-front, checked against `sums` (a build's or the package's SHA256SUMS). */
async function frontIn(dir: string, sums: string, fix: string): Promise<LocalBinary> {
  const file = path.join(dir, FRONT_NAME);
  if (!fs.existsSync(file)) throw setupError('local-file', `${file} is missing`, fix);
  const sha256 = await sha256Of(file);
  const listed = listedSum(sums, FRONT_NAME);
  if (listed !== sha256) throw setupError('local-file', `${file} does not match ${sums} (a partial or stale build?)`, fix);
  return { file, sha256 };
}

const executableName = (arch: RemoteArch) => `remote-linux-${arch}`;

/** A checkout's dist/: the build's executables, checked against dist/SHA256SUMS. */
export function fromBuild(distDir: string): RemoteBinarySource {
  const get = async (arch: RemoteArch): Promise<LocalBinary> => {
    const name = executableName(arch);
    const file = path.join(distDir, name);
    if (!fs.existsSync(file)) {
      throw setupError('local-file', `${file} is missing`, 'run "npm run build" first (it writes dist/remote-linux-x64 and dist/remote-linux-arm64)');
    }
    const sha256 = await sha256Of(file);
    const listed = listedSum(path.join(distDir, 'SHA256SUMS'), name);
    if (listed && listed !== sha256) throw setupError('local-file', `${file} does not match dist/SHA256SUMS (a partial or stale build?)`, 'run "npm run build" again');
    return { file, sha256 };
  };
  return {
    get,
    expected: async (arch) => ({ name: executableName(arch), sha256: (await get(arch)).sha256 }),
    front: () => frontIn(distDir, path.join(distDir, 'SHA256SUMS'), 'run "npm run build" (it writes dist/remote-front)'),
  };
}

/**
 * The installed package's dist/sea/ (the SEA blobs, their injector and the
 * checksums of the executables they make): made once into `cacheDir`.
 */
export function fromPackage(seaDir: string, cacheDir: string): RemoteBinarySource {
  const wanted = (arch: RemoteArch) => {
    const name = executableName(arch);
    const sha256 = listedSum(path.join(seaDir, 'SHA256SUMS'), name);
    if (!sha256) throw setupError('local-file', `${path.join(seaDir, 'SHA256SUMS')} does not list ${name}`, 'reinstall slurmhop');
    return { name, sha256 };
  };
  const get = async (arch: RemoteArch, progress: (message: string, ongoing?: boolean) => void): Promise<LocalBinary> => {
    const { name, sha256: want } = wanted(arch);
    const file = path.join(cacheDir, `${name}-${want.slice(0, 16)}`);
    if (fs.existsSync(file) && (await sha256Of(file)) === want) return { file, sha256: want };
    fs.mkdirSync(cacheDir, { recursive: true });
    removeLeftovers(cacheDir);
    progress(`making ${name} (once): the official Node package node-linux-${arch} from the npm registry, and slurmhop's program`);
    const nodeDir = path.join(cacheDir, `node-${process.pid}`);
    // makeExecutable's own temporary name (scripts/build/sea.mjs).
    const removeHalfMade = () => {
      fs.rmSync(nodeDir, { recursive: true, force: true });
      fs.rmSync(`${file}.${process.pid}.tmp`, { force: true });
    };
    const off = onInterrupt(removeHalfMade);
    const started = Date.now();
    let phase = `fetching node-linux-${arch} with npm`;
    const tick = () => progress(`${phase}: ${Math.round((Date.now() - started) / 1000)} s`, true);
    tick();
    const ticker = setInterval(tick, 1000);
    try {
      let node: string;
      try {
        ({ bin: node } = await nodeBinary(arch, nodeDir));
        phase = `assembling ${name} (Node and slurmhop's program)`;
      } catch (err) {
        // npm's own last lines say why (registry, proxy, certificate, authentication).
        const lines = (err as Error).message.split('\n').map((l) => l.trim()).filter(Boolean);
        const why = [lines[0], ...lines.slice(1).slice(-4)].join('\n  ');
        throw setupError('download', `cannot get the Node package for ${name}: ${why}`, `slurmhop fetches it with "npm pack" (your npm settings apply: registry, proxy); "npm view node-linux-${arch} version" tests them`);
      }
      try {
        await makeExecutable({ node, blob: path.join(seaDir, `${name}.blob`), out: file, injector: path.join(seaDir, 'inject.cjs') });
      } catch (err) {
        throw setupError('write', `cannot make ${file}: ${(err as Error).message.split('\n')[0]}`, `check the free space in ${cacheDir} (about 110 MB are needed)`);
      }
    } finally {
      // Only the executable is kept: the Node package (50 MB) stays in npm's own cache.
      fs.rmSync(nodeDir, { recursive: true, force: true });
      clearInterval(ticker);
      off();
    }
    progress(`made ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
    const got = await sha256Of(file);
    if (got !== want) {
      fs.rmSync(file, { force: true });
      throw setupError('local-file', `the ${name} made here does not match the one slurmhop was built with (sha256 ${got}, expected ${want})`, 'reinstall slurmhop; if it persists, please report it');
    }
    // Executables of earlier versions go (not another process's file in the making).
    for (const old of fs.readdirSync(cacheDir)) {
      if (old.startsWith(`${name}-`) && !old.endsWith('.tmp') && path.join(cacheDir, old) !== file) fs.rmSync(path.join(cacheDir, old), { force: true });
    }
    return { file, sha256: want };
  };
  return { get, expected: async (arch) => wanted(arch), front: () => frontIn(seaDir, path.join(seaDir, 'SHA256SUMS'), 'reinstall slurmhop') };
}

/** What an interrupted maker left: its Node package directory and its half-made file (named by its pid). */
function removeLeftovers(cacheDir: string): void {
  for (const entry of fs.readdirSync(cacheDir)) {
    const pid = /^node-(\d+)$/.exec(entry)?.[1] ?? /\.(\d+)\.tmp$/.exec(entry)?.[1];
    if (pid && !processExists(Number(pid))) fs.rmSync(path.join(cacheDir, entry), { recursive: true, force: true });
  }
}

function listedSum(sums: string, name: string): string | undefined {
  try {
    return fs.readFileSync(sums, 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1] === name)?.[0];
  } catch {
    return undefined;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
