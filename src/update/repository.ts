// The release repository, read with git only (simple-git): `git ls-remote`
// lists the vX.Y.Z tags, and a release is fetched shallowly at its tag into a
// scratch bare repository, whose three files are then copied out.
import fs from 'node:fs';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { MAX_BUNDLE_BYTES, MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, ReleaseRejected } from './manifest.js';
import { RELEASE_FILES } from './paths.js';
import { tagOf, versionsFromLsRemote } from './semver.js';

export interface ReleaseSource {
  url: string;
  /** Release versions, newest first. */
  listVersions(): Promise<string[]>;
  /** Writes the release's files into `dir` (which exists and is empty); returns the tagged commit. */
  fetch(version: string, dir: string, scratch: string): Promise<{ commit: string }>;
}

const LIMITS: Record<string, number> = {
  [RELEASE_FILES.bundle]: MAX_BUNDLE_BYTES,
  [RELEASE_FILES.manifest]: MAX_MANIFEST_BYTES,
  [RELEASE_FILES.signature]: MAX_SIGNATURE_BYTES,
};

/** Git never prompts (a background check has no terminal) and ignores repository settings in the environment. */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE']) {
    delete clean[key];
  }
  return clean;
}

export function gitSource(url: string, options: { env: NodeJS.ProcessEnv; timeoutMs: number }): ReleaseSource {
  const git = (baseDir?: string): SimpleGit =>
    simpleGit({ ...(baseDir ? { baseDir } : {}), timeout: { block: options.timeoutMs } }).env(gitEnv(options.env));
  return {
    url,
    async listVersions() {
      return versionsFromLsRemote(await git().listRemote(['--tags', '--refs', url]));
    },
    async fetch(version, dir, scratch) {
      const tag = tagOf(version);
      const gitDir = path.join(scratch, 'git');
      await git(scratch).raw(['init', '--bare', '--quiet', gitDir]);
      const repo = git(gitDir);
      await repo.raw(['fetch', '--depth', '1', '--no-tags', '--quiet', url, `+refs/tags/${tag}:refs/tags/${tag}`]);
      const commit = (await repo.raw(['rev-parse', '--verify', `refs/tags/${tag}^{commit}`])).trim();
      for (const name of Object.values(RELEASE_FILES)) {
        const spec = `${commit}:${name}`;
        let size: number;
        try {
          size = Number((await repo.raw(['cat-file', '-s', spec])).trim());
        } catch {
          throw new ReleaseRejected(`tag ${tag} has no ${name}`);
        }
        if (!(size <= LIMITS[name]!)) throw new ReleaseRejected(`${name} in tag ${tag} is ${size} bytes, more than a release may hold`);
        const data = (await repo.binaryCatFile(['blob', spec])) as Buffer;
        fs.writeFileSync(path.join(dir, name), data, { flag: 'wx', mode: 0o600 });
      }
      fs.rmSync(gitDir, { recursive: true, force: true });
      return { commit };
    },
  };
}
