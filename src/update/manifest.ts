// A release is three files: the program bundle, release.json (its version,
// size and sha256) and release.json.sig (ed25519 over release.json's exact
// bytes). Signing the manifest rather than the bundle binds the version: an
// old signed bundle cannot be re-tagged as a newer release.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { isVersion } from './semver.js';

export const MANIFEST_FORMAT = 1;
export const MAX_BUNDLE_BYTES = 64 * 2 ** 20;
export const MAX_MANIFEST_BYTES = 64 * 2 ** 10;
export const MAX_SIGNATURE_BYTES = 1024;

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: 'slurmhop';
  version: string;
  bundle: { file: 'remote.cjs'; size: number; sha256: string };
  /** Informational: where the bundle was built from. */
  source?: { commit?: string; builtAt?: string };
}

export interface ReleaseFiles {
  bundle: Buffer;
  manifest: Buffer;
  signature: Buffer;
}

/** Why a release was not accepted; the message says it in the user's terms. */
export class ReleaseRejected extends Error {
  override name = 'ReleaseRejected';
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function makeManifest(version: string, bundle: Buffer, source?: Manifest['source']): Manifest {
  if (!isVersion(version)) throw new Error(`not a release version: ${version}`);
  return {
    format: MANIFEST_FORMAT,
    name: 'slurmhop',
    version,
    bundle: { file: 'remote.cjs', size: bundle.length, sha256: sha256(bundle) },
    ...(source ? { source } : {}),
  };
}

/** The three files of a release, signed with a PEM (PKCS#8) ed25519 private key. */
export function signRelease(manifest: Manifest, bundle: Buffer, privateKeyPem: string): ReleaseFiles {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the release key must be ed25519, not ${key.asymmetricKeyType}`);
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = Buffer.from(`${sign(null, manifestBytes, key).toString('base64')}\n`);
  return { bundle, manifest: manifestBytes, signature };
}

/**
 * Checks a release against the built-in public key: signature first, then the
 * manifest, then the bundle's size and hash. Throws ReleaseRejected.
 */
export function verifyRelease(files: ReleaseFiles, publicKeyPem: string, expectedVersion?: string): Manifest {
  if (files.signature.length > MAX_SIGNATURE_BYTES || files.manifest.length > MAX_MANIFEST_BYTES) {
    throw new ReleaseRejected('release.json or its signature is too large');
  }
  const signature = Buffer.from(files.signature.toString('ascii').trim(), 'base64');
  let good = false;
  try {
    good = signature.length === 64 && verify(null, files.manifest, createPublicKey(publicKeyPem), signature);
  } catch {
    good = false;
  }
  if (!good) throw new ReleaseRejected('bad signature: release.json is not signed by the release key built into this executable');
  const manifest = parseManifest(files.manifest);
  if (expectedVersion !== undefined && manifest.version !== expectedVersion) {
    throw new ReleaseRejected(`the tag is v${expectedVersion} but its signed release.json says ${manifest.version}`);
  }
  if (files.bundle.length !== manifest.bundle.size) {
    const hint = files.bundle.length < manifest.bundle.size ? ' (truncated)' : '';
    throw new ReleaseRejected(`remote.cjs is ${files.bundle.length} bytes, the signed release.json says ${manifest.bundle.size}${hint}`);
  }
  if (sha256(files.bundle) !== manifest.bundle.sha256) {
    throw new ReleaseRejected('remote.cjs does not match the sha256 in the signed release.json');
  }
  return manifest;
}

function parseManifest(bytes: Buffer): Manifest {
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(bytes.toString('utf8')) as Partial<Manifest>;
  } catch {
    throw new ReleaseRejected('release.json is not JSON');
  }
  const b = m.bundle;
  const ok =
    m.format === MANIFEST_FORMAT &&
    m.name === 'slurmhop' &&
    typeof m.version === 'string' &&
    isVersion(m.version) &&
    b?.file === 'remote.cjs' &&
    Number.isSafeInteger(b.size) &&
    b.size > 0 &&
    b.size <= MAX_BUNDLE_BYTES &&
    /^[0-9a-f]{64}$/.test(b.sha256);
  if (!ok) throw new ReleaseRejected(`release.json has an unknown layout (format ${String(m.format)})`);
  return m as Manifest;
}
