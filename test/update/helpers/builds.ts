// Test builds of the real program: the same src/cli/entry.ts bundled by the
// same scripts/build/bundle.mjs, with the test's own public key built in (and
// marked as a test build) and the version a test release needs.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../../scripts/build/bundle.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

export function makeKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** dist-like bundle of the program at `version`, trusting `key`. */
export async function buildProgram(dir: string, version: string, key: KeyPair): Promise<string> {
  const outfile = path.join(dir, `remote-${version}.cjs`);
  await bundle({ entry: 'src/cli/entry.ts', outfile, absWorkingDir: ROOT, version, releaseKey: key.publicKey });
  return outfile;
}

/** The single executable's first script (src/cli/first-script.ts) at `version`, trusting `key`. */
export async function buildFront(dir: string, version: string, key: KeyPair): Promise<string> {
  const outfile = path.join(dir, `front-${version}.cjs`);
  await bundle({ entry: 'src/cli/first-script.ts', outfile, absWorkingDir: ROOT, version, releaseKey: key.publicKey });
  return outfile;
}

/** The program as the running launcher (0.1.0) and as the newer release (0.2.0), both trusting `key`. */
export async function buildLauncherAndRelease(dir: string, key: KeyPair): Promise<{ launcher: string; two: string }> {
  return { launcher: await buildProgram(dir, '0.1.0', key), two: await buildProgram(dir, '0.2.0', key) };
}

/** A bundle that is not the program: `code` runs as the whole release. */
export function writeBundle(dir: string, name: string, code: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, code);
  return file;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A single executable (test build) of `version`, made by the same steps as dist/remote-linux-x64. */
export async function buildTestSea(dir: string, version: string, key: KeyPair, out: string): Promise<string> {
  const { nodeBinary } = await import('../../../scripts/build/node-binary.mjs');
  const { makeExecutable } = await import('../../../scripts/build/sea.mjs');
  const { makeBlob } = await import('../../../scripts/build/sea-blob.mjs');
  const program = await buildProgram(dir, version, key);
  const front = await buildFront(dir, version, key);
  const { bin } = await nodeBinary('x64', path.join(ROOT, '.cache', 'node'));
  const blob = await makeBlob({ node: bin, front, program, dir, codeCache: true });
  await makeExecutable({ node: bin, blob, out, injector: path.join(ROOT, 'scripts/build/inject.cjs') });
  return out;
}
