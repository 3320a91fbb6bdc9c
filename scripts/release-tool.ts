// scripts/release: make a signed release (a tagged commit of the three
// release files) in a git repository, or make a new release key pair. For the
// maintainers only: nothing of it is in the executable; it signs with the
// updater's own code (src/update).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { simpleGit } from 'simple-git';
import { isVersion, publishRelease, RELEASE_FILES } from '../src/update/index.js';

const USAGE = `usage:
  scripts/release --key PRIVATE.pem --repo GITDIR [--bundle dist/remote.cjs] [--version X.Y.Z] [--push REMOTE]
      signs the bundle and tags it vX.Y.Z in GITDIR (a commit with only the release files);
      the bundle's own self-check, run through its launcher, must accept the signed release
  scripts/release keygen --out PRIVATE.pem [--pub keys/release-ed25519.pub]
      makes a new ed25519 key pair: the private key (0600) for you to keep, the public key for the build`;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'keygen') return keygen(argv.slice(1));
  const { values } = parseArgs({
    args: argv,
    options: {
      key: { type: 'string' },
      repo: { type: 'string' },
      bundle: { type: 'string', default: path.join(root, 'dist/remote.cjs') },
      version: { type: 'string' },
      push: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (!values.key || !values.repo) throw new Error(`--key and --repo are required\n${USAGE}`);
  const bundle = fs.readFileSync(values.bundle!);
  const version = values.version ?? selfCheckVersion(values.bundle!);
  if (!isVersion(version)) throw new Error(`not a release version: ${version}`);
  await release({ key: values.key, repo: values.repo, bundlePath: values.bundle!, bundle, version, push: values.push });
}

async function release(o: { key: string; repo: string; bundlePath: string; bundle: Buffer; version: string; push: string | undefined }) {
  const privateKeyPem = fs.readFileSync(o.key, 'utf8');
  const commit = await sourceCommit();
  const { tag, commit: released, files } = await publishRelease({
    repo: o.repo,
    version: o.version,
    bundle: o.bundle,
    privateKeyPem,
    source: { ...(commit ? { commit } : {}), builtAt: new Date().toISOString() },
  });
  // The bundle's launcher verifies with the key built into it: this proves
  // that the private key matches the public key of the build being released.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-release-check-'));
  try {
    fs.writeFileSync(path.join(dir, RELEASE_FILES.bundle), files.bundle);
    fs.writeFileSync(path.join(dir, RELEASE_FILES.manifest), files.manifest);
    fs.writeFileSync(path.join(dir, RELEASE_FILES.signature), files.signature);
    execFileSync(process.execPath, [o.bundlePath, '--bundle', dir, '--self-check'], { env: isolatedEnv(dir), stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    await simpleGit(o.repo).raw(['tag', '-d', tag]);
    throw new Error(`the bundle refuses this release (is --key the pair of the bundle's keys/release-ed25519.pub?): ${(err as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (o.push) await simpleGit(o.repo).push(o.push, `refs/tags/${tag}`);
  process.stderr.write(`release: ${tag} = commit ${released} in ${o.repo}${o.push ? `, pushed to ${o.push}` : ''}\n`);
}

function selfCheckVersion(bundle: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-release-version-'));
  try {
    const out = execFileSync(process.execPath, [bundle, '--self-check'], { env: isolatedEnv(dir), encoding: 'utf8' });
    return (JSON.parse(out.trim().split('\n').pop()!) as { version: string }).version;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// No installed release of the person releasing may answer for the bundle.
function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), XDG_CONFIG_HOME: path.join(dir, 'config') };
}

async function sourceCommit(): Promise<string | undefined> {
  try {
    return (await simpleGit(root).revparse(['HEAD'])).trim();
  } catch {
    return undefined;
  }
}

function keygen(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, pub: { type: 'string', default: path.join(root, 'keys/release-ed25519.pub') } } });
  if (!values.out) throw new Error(`--out is required\n${USAGE}`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(values.out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
  fs.writeFileSync(values.pub!, publicKey.export({ type: 'spki', format: 'pem' }));
  process.stderr.write(`release: private key ${values.out} (keep it secret, never commit it); public key ${values.pub}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`release: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
