// The public key that every release must be signed with. The build defines it
// from keys/release-ed25519.pub; a test build (scripts/build/bundle.mjs with
// `releaseKey`) gets the test's own key and says so in `--version --verbose`.
// Nothing read at run time (environment, files) can change it.
import type * as Crypto from 'node:crypto';

declare const __SLURMHOP_RELEASE_KEY__: string | undefined;
declare const __SLURMHOP_BUILD_KIND__: string | undefined;

export const RELEASE_KEY: string | undefined =
  typeof __SLURMHOP_RELEASE_KEY__ === 'string' ? __SLURMHOP_RELEASE_KEY__ : undefined;

/** "release" for `npm run build`, "test" for a bundle built with a test key, "source" when not bundled. */
export const BUILD_KIND: string = typeof __SLURMHOP_BUILD_KIND__ === 'string' ? __SLURMHOP_BUILD_KIND__ : 'source';

/** OpenSSH-style fingerprint of a PEM public key: "SHA256:<base64>". */
export function keyFingerprint(pem: string): string {
  // Loaded here, not at start-up: every `remote` start imports this file.
  const { createHash, createPublicKey } = require('node:crypto') as typeof Crypto;
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}
