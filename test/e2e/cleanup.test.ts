// remote cleanup on the real cluster, as hal: a ~/.vscode-server with four
// server versions (both layouts Remote-SSH uses) loses all but the newest two,
// except one a process of hal's on the login node runs from, or a running job
// recorded that its node runs; data/ and extensions/ stay. A cancelled job's directory and output go (its record
// stays for remote history), a running job's stay. remote doctor reports the
// home directory's room and ~/.vscode-server's size.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownTree, homeOf, jobsOf, Laptop, onNode, prepareUser, resetUser, stateOf, waitFor } from './harness.js';

const USER = 'hal';
const HOME = homeOf(USER);
const ROOT = `${HOME}/.vscode-server`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const [A, B, C, D] = ['a', 'b', 'c', 'd'].map((c) => `${c}0`.repeat(20)) as [string, string, string, string];
let laptop: Laptop;
let holder: { pid: string; done: Promise<unknown> } | undefined;

function write(file: string, bytes = 4096): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x'.repeat(bytes));
}

function age(p: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) age(path.join(p, e), ms);
  fs.utimesSync(p, then, then);
}

/** A (older layout, an hour old), B (the CLI's layout, 2 days), C (older layout, 10 days), D (the CLI's layout, 20 days). */
function fakeVscodeServer(): void {
  fs.rmSync(ROOT, { recursive: true, force: true });
  for (const [commit, layout] of [[A, 'bin'], [B, 'cli'], [C, 'bin'], [D, 'cli']] as const) {
    if (layout === 'bin') {
      for (const f of ['node', 'out/server-main.js', 'bin/code-server']) write(`${ROOT}/bin/${commit}/${f}`);
      write(`${ROOT}/.${commit}.log`, 100);
    } else {
      for (const f of ['server/node', 'server/out/server-main.js', 'log.txt', 'pid.txt']) write(`${ROOT}/cli/servers/Stable-${commit}/${f}`);
      write(`${ROOT}/code-${commit}`, 20_000);
    }
  }
  write(`${ROOT}/cli/servers/lru.json`, 100);
  write(`${ROOT}/data/Machine/settings.json`, 100);
  write(`${ROOT}/extensions/ms-python.python-2024.1.0/package.json`);
  chownTree(USER, ROOT);
  age(ROOT, 60 * DAY);
  for (const p of [`bin/${A}`, `.${A}.log`]) age(`${ROOT}/${p}`, HOUR);
  for (const p of [`cli/servers/Stable-${B}`, `code-${B}`]) age(`${ROOT}/${p}`, 2 * DAY);
  for (const p of [`bin/${C}`, `.${C}.log`]) age(`${ROOT}/${p}`, 10 * DAY);
  for (const p of [`cli/servers/Stable-${D}`, `code-${D}`]) age(`${ROOT}/${p}`, 20 * DAY);
}

beforeAll(async () => {
  laptop = await prepareUser(USER, ['cpu']);
});

afterAll(async () => {
  if (holder) await onNode('login', USER, ['kill', holder.pid]);
  fs.rmSync(ROOT, { recursive: true, force: true });
  await resetUser(USER);
  laptop.dispose();
});

const lastEvent = (jobId: string) => fs.readFileSync(`${stateOf(USER)}/jobs/${jobId}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; reason?: string }).at(-1);

describe('remote cleanup', () => {
  const ids: { cancelled?: string; running?: string } = {};

  it('--dry-run lists the two old versions and the cancelled job, keeps the version in use, and changes nothing', async () => {
    fakeVscodeServer();
    // A process of hal's on the login node runs from D (its working directory is D's server).
    const started = onNode('login', USER, ['bash', '-c', `cd ${ROOT}/cli/servers/Stable-${D}/server && echo $$ && exec sleep 300`]);
    let out = '';
    started.stdout!.on('data', (d) => (out += d));
    await waitFor(() => /^\d+\n/.test(out), 10_000, 'the process running from D');
    holder = { pid: out.trim(), done: started };

    // One job cancelled (its files aged past cleanup's 10 minutes), one left running.
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    ids.cancelled = (await jobsOf(USER))[0]!.id;
    expect((await laptop.remote(['cancel', ids.cancelled])).exitCode).toBe(0);
    await waitFor(async () => lastEvent(ids.cancelled!)?.event === 'ended' && (await jobsOf(USER)).length === 0, 30_000, 'the cancelled job to end');
    age(`${stateOf(USER)}/jobs/${ids.cancelled}`, HOUR);
    age(`${stateOf(USER)}/logs/${ids.cancelled}.out`, HOUR);
    expect((await laptop.ssh(['slurm-cpu', 'true'])).exitCode).toBe(0);
    ids.running = (await jobsOf(USER))[0]!.id;

    const r = await laptop.remote(['cleanup', '--dry-run']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const lines = String(r.stdout).trim().split('\n');
    const what = (l: string) => l.replace(/^would remove  \S+ \S+ +[\d,]+ files? +/, '');
    expect(lines.filter((l) => l.startsWith('would remove  ')).map(what)).toEqual([
      `~/.vscode-server/.${C}.log`,
      `~/.vscode-server/bin/${C}`,
      `job ${ids.cancelled} (cpu, ended: cancelled): jobs/${ids.cancelled}, logs/${ids.cancelled}.out`,
    ]);
    expect(lines).toContain(`kept VS Code server ${D}: in use on this host (process ${holder.pid})`);
    expect(lines.at(-1)).toMatch(/^would remove 3 items: \d+\.\d KiB in \d+ files$/);
    expect(fs.existsSync(`${ROOT}/bin/${C}`)).toBe(true);
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${ids.cancelled}`)).toBe(true);
  });

  it('removes them: the newest two versions, the one in use, data/ and extensions/ stay; the cancelled job is still in remote history', async () => {
    const r = await laptop.remote(['cleanup']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout).trim().split('\n').at(-1)).toMatch(/^removed 3 items: /);
    expect(fs.readdirSync(`${ROOT}/bin`).sort()).toEqual([A]);
    expect(fs.readdirSync(`${ROOT}/cli/servers`).sort()).toEqual([`Stable-${B}`, `Stable-${D}`, 'lru.json']);
    expect(fs.readdirSync(ROOT).sort()).toEqual([`.${A}.log`, 'bin', 'cli', `code-${B}`, `code-${D}`, 'data', 'extensions'].sort());
    expect(fs.existsSync(`${ROOT}/extensions/ms-python.python-2024.1.0/package.json`)).toBe(true);
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${ids.cancelled}`)).toBe(false);
    expect(fs.existsSync(`${stateOf(USER)}/logs/${ids.cancelled}.out`)).toBe(false);
    expect(fs.existsSync(`${stateOf(USER)}/jobs/${ids.running}/contact`)).toBe(true);
    expect((await jobsOf(USER)).map((j) => j.id)).toEqual([ids.running]);

    const history = await laptop.remote(['history', '--json']);
    const sessions = (JSON.parse(String(history.stdout)) as { sessions: Array<{ jobId: string; reason: string | null }> }).sessions;
    expect(sessions).toContainEqual(expect.objectContaining({ jobId: ids.cancelled, reason: 'cancelled' }));

    // Once the process ends, the version it ran from is an old one like the others, but for the
    // running job: it wrote down the VS Code servers its node runs, and this cluster's nodes share
    // one process table, so it saw the login node's process too (a real node sees only its own).
    // Its record holds while it runs; once it has ended, the version goes.
    await onNode('login', USER, ['kill', holder!.pid]);
    await holder!.done;
    holder = undefined;
    const kept = await laptop.remote(['cleanup']);
    expect(kept.exitCode, String(kept.stderr)).toBe(0);
    expect(String(kept.stdout)).toMatch(new RegExp(`^kept VS Code server ${D}: in use by job ${ids.running} on c[12]$`, 'm'));
    expect((await laptop.remote(['cancel', ids.running!])).exitCode).toBe(0);
    await waitFor(async () => (await jobsOf(USER)).length === 0, 30_000, 'the running job to end');
    const again = await laptop.remote(['cleanup']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(String(again.stdout)).toMatch(new RegExp(`^removed  .*  ~/\\.vscode-server/cli/servers/Stable-${D}$`, 'm'));
    expect(fs.readdirSync(`${ROOT}/cli/servers`).sort()).toEqual([`Stable-${B}`, 'lru.json']);
  });

  it('remote doctor reports the home directory\'s room and ~/.vscode-server\'s size, and passes', async () => {
    const r = await laptop.remote(['doctor']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = String(r.stdout);
    // No quota tools on the test cluster: the filesystem's free space answers.
    expect(out).toMatch(new RegExp(`^ok {4}home directory {3}${HOME}: no quota reported \\(quota is not installed\\); its filesystem \\(.+\\) has \\S+ \\S+ of \\S+ \\S+ free`, 'm'));
    expect(out).toMatch(/^ {23}~\/\.vscode-server: \d+\.\d KiB in \d+ files, 2 server versions$/m);
    expect(out.trim().split('\n').at(-1)).toBe('all 9 checks passed');
  });
});
