// The release repository, read with git only (simple-git): `git ls-remote`
// lists the vX.Y.Z tags, and a release is fetched shallowly at its tag into a
// scratch bare repository, whose three files are then copied out.
import fs from 'node:fs';
import path from 'node:path';
import { simpleGit, type SimpleGit, type SimpleGitOptions } from 'simple-git';
import { CREDENTIAL_HELP, redactCredentials } from '../config/index.js';
import { SlurmhopError } from '../errors.js';
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

// simple-git refuses to run with variables that could make git run another
// program. Those a git transport may need (ssh, a proxy) are the user's own
// and pass; editors, pagers, askpass helpers and config redirections do not
// matter to ls-remote/fetch and are dropped.
const DROPPED = /^(EDITOR|PAGER|PREFIX|SSH_ASKPASS|GIT_(ASKPASS|CONFIG\w*|EDITOR|EXEC_PATH|EXTERNAL_DIFF|PAGER|TEMPLATE_DIR|SEQUENCE_EDITOR|DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE))$/i;
export const GIT_UNSAFE_ALLOWED: SimpleGitOptions['unsafe'] = { allowUnsafeSshCommand: true, allowUnsafeGitProxy: true };

/** Git never prompts (a background check has no terminal) and ignores repository settings in the environment. */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!DROPPED.test(key)) clean[key] = value;
  return { ...clean, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
}

/** Refuses a URL that carries a secret before git (and its command line in /proc) ever sees it. */
export function gitSource(url: string, options: { env: NodeJS.ProcessEnv; timeoutMs: number }): ReleaseSource {
  const redacted = redactCredentials(url);
  if (redacted !== undefined) {
    throw new SlurmhopError('config', `the release repository "${redacted}" carries a password or token: git would get it on its command line, where every user of this login node can read it`, `remove it from repository in the [update] section of config.ini; ${CREDENTIAL_HELP}`);
  }
  const git = (baseDir?: string, unsafe = GIT_UNSAFE_ALLOWED): SimpleGit =>
    simpleGit({ ...(baseDir ? { baseDir } : {}), timeout: { block: options.timeoutMs }, unsafe }).env(gitEnv(options.env));
  return {
    url,
    async listVersions() {
      return versionsFromLsRemote(await git().listRemote(['--tags', '--refs', url]));
    },
    async fetch(version, dir, scratch) {
      const tag = tagOf(version);
      const gitDir = path.join(scratch, 'git');
      // No template: no sample hooks copied, nothing but what the fetch needs.
      await git(scratch, { ...GIT_UNSAFE_ALLOWED, allowUnsafeTemplateDir: true }).raw(['init', '--bare', '--quiet', '--template=', gitDir]);
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
