// `remote proxy` with an update due, on the real local cluster, as the test
// user gus (vitest project "update-cluster"; needs `scripts/cluster up`).
// The background check is held inside `git ls-remote` (helpers/git-gate.ts)
// until the test lets it go, so the order is certain:
// the proxy relays the job sshd's banner while the check has provably not
// finished. Then the check is let go, installs the release, and the next run
// uses it. Everything lives in a directory of gus's own (XDG_* point there),
// so gus's ~/.config, state and ~/.local/bin/remote are not touched.
import { execa, type ResultPromise } from 'execa';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRelease } from '../../src/update/index.js';
import { chownTree, clusterEnv, homeOf, onNode, ROOT, waitFor } from '../e2e/harness.js';
import { buildProgram, buildTestSea, makeKeyPair } from './helpers/builds.js';
import { GitGate } from './helpers/git-gate.js';

const USER = 'gus';
const BASE = path.join(homeOf(USER), '.cache', 'slurmhop-update-test');
const BIN = path.join(BASE, 'bin', 'remote');
const REPO = path.join(BASE, 'releases.git');
const STATE = path.join(BASE, 'state', 'slurmhop');
const LOG = path.join(STATE, 'update', 'update.log');
const ENV = ['env', `XDG_CONFIG_HOME=${BASE}/config`, `XDG_STATE_HOME=${BASE}/state`];
const key = makeKeyPair();
let gate: GitGate;
/** A later release, published by the second test. */
let three: string;

const asGus = (args: string[]) => onNode('login', USER, [...ENV, BIN, ...args]);
const log = () => (fs.existsSync(LOG) ? fs.readFileSync(LOG, 'utf8') : '');

beforeAll(async () => {
  clusterEnv(); // says what to do when the cluster is not up
  fs.rmSync(BASE, { recursive: true, force: true });
  fs.mkdirSync(path.join(BASE, 'bin'), { recursive: true });
  const builds = fs.mkdtempSync(path.join(BASE, 'build-'));
  await buildTestSea(builds, '0.1.0', key, BIN);
  const two = await buildProgram(builds, '0.2.0', key);
  execFileSync('git', ['init', '-q', '--bare', REPO]);
  await publishRelease({ repo: REPO, version: '0.2.0', bundle: fs.readFileSync(two), privateKeyPem: key.privateKey });
  three = await buildProgram(builds, '0.3.0', key);
  gate = new GitGate(REPO);
  fs.mkdirSync(path.join(BASE, 'config', 'slurmhop'), { recursive: true });
  fs.writeFileSync(
    path.join(BASE, 'config', 'slurmhop', 'config.ini'),
    `[update]\nrepository = file://${REPO}\n\n[profile.cpu]\npartition = interactive\ntime = 10:00\n`,
  );
  chownTree(USER, BASE);
}, 180_000);

afterAll(async () => {
  const jobs = fs.existsSync(path.join(STATE, 'jobs')) ? fs.readdirSync(path.join(STATE, 'jobs')) : [];
  if (jobs.length) await onNode('login', 'root', ['scancel', ...jobs]);
  await waitFor(async () => {
    const r = await onNode('login', 'root', ['squeue', '-h', '-o', '%i', ...(jobs.length ? ['-j', jobs.join(',')] : [])]);
    return !jobs.length || String(r.stdout).trim() === '';
  }, 30_000, 'the test job to leave the queue').catch(() => {});
  fs.rmSync(BASE, { recursive: true, force: true });
}, 60_000);

/** One connect that ends as soon as the job's sshd has said hello; the warm path relays it. */
async function bannerThroughProxy(): Promise<string> {
  const proxy = execa(path.join(ROOT, 'scripts/cluster'), ['exec', 'login', '--user', USER, '--', ...ENV, BIN, 'proxy', 'cpu'], { stdin: 'pipe', reject: false });
  let stdout = '';
  proxy.stdout!.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
  try {
    await waitFor(() => stdout.includes('\n'), 60_000, "the job sshd's banner through the proxy");
    return stdout;
  } finally {
    proxy.stdin!.end();
    await proxy;
  }
}

describe('remote proxy with an update due', () => {
  it('relays at once while the check runs detached in the background; the next run uses what it installed', async () => {
    let proxy: ResultPromise | undefined;
    try {
      proxy = execa(path.join(ROOT, 'scripts/cluster'), ['exec', 'login', '--user', USER, '--', ...ENV, BIN, 'proxy', 'cpu'], {
        stdin: 'pipe',
        reject: false,
        buffer: true,
      });
      let stdout = Buffer.alloc(0);
      proxy.stdout!.on('data', (d: Buffer) => (stdout = Buffer.concat([stdout, d])));

      await waitFor(() => stdout.includes('\n'), 240_000, "the job sshd's banner through the proxy");
      // Stdout carries the SSH stream and nothing else.
      expect(stdout.toString('latin1')).toMatch(/^SSH-2\.0-[^\r\n]+\r?\n$/);
      await gate.waitUntilHeld();

      // The relay is up, and the check has started but cannot have finished.
      expect(log()).toMatch(/background check of file:\/\/\S+ \(running built-in 0\.1\.0\)\n$/);
      const holder = JSON.parse(fs.readFileSync(path.join(STATE, 'update', 'lock'), 'utf8')) as { pid: number };
      const stat = fs.readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      const sid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
      expect(sid, 'the check leads its own session (detached)').toBe(holder.pid);
      for (const fd of [0, 1, 2]) expect(fs.readlinkSync(`/proc/${holder.pid}/fd/${fd}`)).toBe('/dev/null');

      proxy.stdin!.end();
      const ended = await proxy;
      expect(String(ended.stderr)).not.toMatch(/update|release/i);
      expect(gate.held()).toHaveLength(1);
    } finally {
      await gate.release();
      proxy?.kill();
    }
    await waitFor(() => /installed 0\.2\.0/.test(log()), 60_000, 'the background check to install 0.2.0');
    const version = await asGus(['--version']);
    expect(String(version.stdout)).toBe('slurmhop 0.2.0');
  });
});

describe('users who only reconnect (the warm path) still get updates', () => {
  it('an update due, 5 warm connects: exactly one check runs, it installs the release, and every connect is relayed while it runs', async () => {
    // The repository is gus's now, and git (run by root here) refuses a repository of another user:
    // root publishes into it as its owner, then gives it back with the new objects.
    execFileSync('chown', ['-R', '0:0', REPO]);
    await publishRelease({ repo: REPO, version: '0.3.0', bundle: fs.readFileSync(three), privateKeyPem: key.privateKey });
    chownTree(USER, REPO);
    fs.rmSync(path.join(STATE, 'update', 'checks.json'), { force: true }); // due now
    gate = new GitGate(REPO);
    const checksBefore = (log().match(/background check of/g) ?? []).length;
    try {
      for (let i = 0; i < 5; i++) {
        // The job of the first test still runs: each connect takes the warm path (no scheduler query).
        expect(await bannerThroughProxy()).toMatch(/^SSH-2\.0-\S*.*slurmhop-\d+/);
        if (i === 0) await gate.waitUntilHeld(); // the check started with the first connect, and is held
      }
      expect(gate.held()).toHaveLength(1);
      expect((log().match(/background check of/g) ?? []).length - checksBefore).toBe(1);
    } finally {
      await gate.release();
    }
    await waitFor(() => /installed 0\.3\.0/.test(log()), 60_000, 'the background check to install 0.3.0');
    expect(String((await asGus(['--version'])).stdout)).toBe('slurmhop 0.3.0');
  });
});
