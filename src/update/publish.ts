// Making a release (scripts/release, and the tests' release repositories):
// the three signed files become one commit with no parent, tagged vX.Y.Z, made
// with git plumbing so no work tree is touched. A shallow fetch of the tag
// then transfers exactly those files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { simpleGit } from 'simple-git';
import { makeManifest, signRelease, verifyRelease, type Manifest, type ReleaseFiles } from './manifest.js';
import { RELEASE_FILES } from './paths.js';
import { gitEnv, GIT_UNSAFE_ALLOWED } from './repository.js';
import { tagOf } from './semver.js';

export interface PublishOptions {
  /** A git repository (bare or not) that receives the tag. */
  repo: string;
  version: string;
  bundle: Buffer;
  privateKeyPem: string;
  source?: Manifest['source'];
  /** Replace an existing tag (tests only: a published tag should never move). */
  force?: boolean;
  /** Commit these files instead of the signed ones (tests: damaged releases). */
  tamper?: (files: ReleaseFiles) => ReleaseFiles;
}

export async function publishRelease(options: PublishOptions): Promise<{ tag: string; commit: string; files: ReleaseFiles }> {
  const manifest = makeManifest(options.version, options.bundle, options.source);
  const signed = signRelease(manifest, options.bundle, options.privateKeyPem);
  verifyRelease(signed, createPublicKey(options.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString());
  const files = options.tamper ? options.tamper(signed) : signed;
  const tag = tagOf(options.version);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-release-'));
  try {
    const identity = ['user.name=slurmhop release', 'user.email=release@slurmhop.invalid'];
    const git = simpleGit({ baseDir: options.repo, config: identity, unsafe: GIT_UNSAFE_ALLOWED }).env({
      ...gitEnv(process.env),
      GIT_INDEX_FILE: path.join(tmp, 'index'),
    });
    const entries: Array<[string, Buffer]> = [
      [RELEASE_FILES.bundle, files.bundle],
      [RELEASE_FILES.manifest, files.manifest],
      [RELEASE_FILES.signature, files.signature],
    ];
    for (const [name, data] of entries) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, data);
      const blob = (await git.raw(['hash-object', '-w', file])).trim();
      await git.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${name}`]);
    }
    const tree = (await git.raw(['write-tree'])).trim();
    const commit = (await git.raw(['commit-tree', tree, '-m', `slurmhop ${options.version}\n\nbundle sha256 ${manifest.bundle.sha256}`])).trim();
    await git.raw(['tag', ...(options.force ? ['-f'] : []), '-a', tag, '-m', `slurmhop ${options.version}`, commit]);
    return { tag, commit, files };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
