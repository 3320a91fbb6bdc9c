// slurmhop jupyter's parts: its arguments, the node's script (run by the real
// /bin/sh where Jupyter is not needed: no Jupyter on PATH, no such folder;
// with the real Jupyter: test/e2e/jupyter.test.ts), the lines it reports in,
// the job it submitted ending or staying, and --open's program.
import { execa } from 'execa';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseJupyterArgs } from '../../src/laptop/commands/jupyter.js';
import { settleSubmittedJob } from '../../src/laptop/job-choice.js';
import { JUPYTER_FLAGS, jupyterScript, parseNodeLine } from '../../src/laptop/jupyter-node.js';
import { browserCommand, openInBrowser } from '../../src/laptop/open-url.js';
import { profileTarget } from '../../src/laptop/profile.js';
import { SetupError } from '../../src/setup/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { laptopWorld } from './world.js';

const tmp = tempDirs('slurmhop-laptop-jupyter-');

describe('slurmhop jupyter: arguments', () => {
  it('profile, folder and options; ~/x typed in the laptop\'s shell is x in the home on the cluster', () => {
    expect(parseJupyterArgs(['gpu'], '/home/ana')).toEqual({ cluster: undefined, profile: 'gpu', folder: '', kind: 'auto', port: undefined, open: false, job: 'ask' });
    expect(parseJupyterArgs(['gpu', '/home/ana/proj', '--lab', '--port', '9999', '--open', '--keep-job', '--cluster', 'hpc'], '/home/ana')).toEqual({ cluster: 'hpc', profile: 'gpu', folder: 'proj', kind: 'lab', port: 9999, open: true, job: 'keep' });
    expect(parseJupyterArgs(['cpu', '/scratch/x', '--notebook', '--port=8000', '--end-job'], '/home/ana')).toMatchObject({ folder: '/scratch/x', kind: 'notebook', port: 8000, job: 'end' });
    expect(parseJupyterArgs(['cpu', '~/a b'], '/home/ana').folder).toBe('a b');
    expect(parseJupyterArgs(['cpu', 'rel/dir'], '/home/ana').folder).toBe('rel/dir');
  });

  it('conflicting or unknown options, a missing profile, too many words: usage errors', () => {
    for (const args of [[], ['--lab'], ['gpu', '--lab', '--notebook'], ['gpu', '--keep-job', '--end-job'], ['gpu', '--port', '0'], ['gpu', '--nope'], ['gpu', 'a', 'b']]) {
      expect(() => parseJupyterArgs(args, '/home/ana'), args.join(' ')).toThrow(SetupError);
    }
  });
});

describe("slurmhop jupyter: the node's script", () => {
  // The session's input stays open, as ssh's does: the script must end by itself.
  const run = (folder: string, env: Record<string, string>, home: string) => {
    const sh = execa('/bin/sh', ['-s'], { stdin: 'pipe', env: { HOME: home, ...env }, extendEnv: false, reject: false });
    sh.stdin!.write(jupyterScript({ kind: 'auto', folder, token: 'a'.repeat(48) }));
    return sh;
  };

  it('no Jupyter on PATH: says so with the PATH, starts nothing; the node and job come first', async () => {
    const home = tmp();
    const bin = tmp();
    await execa('ln', ['-s', (await execa('sh', ['-c', 'command -v uname'])).stdout, `${bin}/uname`]);
    const r = await run('', { PATH: `/nonexistent:${bin}`, SLURM_JOB_ID: '77' }, home);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual([`slurmhop-jupyter: node ${os.hostname()} 77`, `slurmhop-jupyter: missing jupyter-notebook /nonexistent:${bin}`]);
  });

  it('a folder that is not there: named (relative ones under the home), nothing started', async () => {
    const home = tmp();
    const bin = tmp();
    // Only found, never run: the script checks the folder first.
    await execa('/bin/sh', ['-c', `printf '#!/bin/sh\\nexit 99\\n' >${bin}/jupyter-notebook && chmod +x ${bin}/jupyter-notebook`]);
    const r = await run('no/such', { PATH: `${bin}:/usr/bin:/bin` }, home);
    expect(r.stdout.split('\n').slice(1)).toEqual([`slurmhop-jupyter: program notebook ${bin}/jupyter-notebook`, `slurmhop-jupyter: nodir ${home}/no/such`]);
  });

  it('the token travels in the script (stdin), never as an argument; Jupyter listens on 127.0.0.1 and opens no browser', () => {
    const script = jupyterScript({ kind: 'lab', folder: "it's mine", token: 'f'.repeat(48) });
    expect(script).toContain(`JUPYTER_TOKEN=${'f'.repeat(48)} JUPYTER_RUNTIME_DIR=$rt "$program" ${JUPYTER_FLAGS.join(' ')} $extra`);
    expect(JUPYTER_FLAGS).toEqual(['--no-browser', '--ip=127.0.0.1', '--port=8888', '--port-retries=50']);
    expect(script).toContain(`dir='it'\\''s mine'`);
    // JupyterLab's news feed and update check: off.
    expect(script).toContain("--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate");
    expect(script.trimEnd().split('\n').at(-1)).toBe('slurmhop_jupyter; exit 0');
  });

  it('is valid sh (dash and bash read it)', async () => {
    for (const sh of ['/bin/sh', 'bash']) expect((await execa(sh, ['-n'], { input: jupyterScript({ kind: 'auto', folder: '', token: 'x' }), reject: false })).exitCode, sh).toBe(0);
  });
});

describe("slurmhop jupyter: the node's lines", () => {
  it('events; Jupyter\'s own server file gives the port, token and base URL', () => {
    expect(parseNodeLine('slurmhop-jupyter: node c1 42')).toEqual({ type: 'node', node: 'c1', jobId: '42' });
    expect(parseNodeLine('slurmhop-jupyter: node c1 ')).toEqual({ type: 'node', node: 'c1', jobId: undefined });
    expect(parseNodeLine('slurmhop-jupyter: info {  "base_url": "/user/x",  "port": 8889,  "token": "abc",  "password": false}')).toEqual({ type: 'info', info: { port: 8889, token: 'abc', baseUrl: '/user/x/', password: false } });
    expect(parseNodeLine('slurmhop-jupyter: info {"port": "x"}')).toBeUndefined();
    expect(parseNodeLine('slurmhop-jupyter: exited 1')).toEqual({ type: 'exited', code: 1 });
    expect(parseNodeLine('slurmhop-jupyter: log [E] a b')).toEqual({ type: 'log', line: '[E] a b' });
    expect(parseNodeLine('slurmhop-jupyter: stopped 123 456')).toEqual({ type: 'stopped', leftovers: 2 });
    expect(parseNodeLine('slurmhop-jupyter: stopped')).toEqual({ type: 'stopped', leftovers: 0 });
    expect(parseNodeLine('slurmhop-jupyter: timeout 300')).toEqual({ type: 'timeout', seconds: 300 });
    expect(parseNodeLine('Welcome to the cluster')).toBeUndefined();
  });
});

describe('the job jupyter submitted', () => {
  const target = (w: ReturnType<typeof laptopWorld>) => profileTarget(w.env, undefined, 'gpu');

  it('without a terminal: ended by default (remote cancel), kept with --keep-job', async () => {
    const w = laptopWorld();
    await settleSubmittedJob(w.env, target(w), { id: '42', node: 'c1' }, 'ask');
    expect(w.runs).toEqual(['ssh -T -o LogLevel=ERROR hpc .local/bin/remote cancel 42']);
    const k = laptopWorld();
    await settleSubmittedJob(k.env, target(k), { id: '42', node: 'c1' }, 'keep');
    expect(k.runs).toEqual([]);
    expect(k.err.join('')).toBe('slurmhop: job 42 (gpu) stays: it ends by itself after idle_timeout with no session; "slurmhop cancel 42" ends it now\n');
  });

  it('--end-job in a terminal: ended without a question', async () => {
    const w = laptopWorld({ interactive: true });
    await settleSubmittedJob(w.env, target(w), { id: '7', node: 'c2' }, 'end');
    expect(w.runs).toEqual(['ssh -t -o LogLevel=ERROR hpc .local/bin/remote cancel 7']);
  });
});

describe('--open', () => {
  it('$BROWSER, else the desktop\'s opener', () => {
    const url = 'http://127.0.0.1:8888/?token=abc';
    expect(browserCommand({ platform: 'linux', home: '/h', env: {} }, url)).toEqual(['xdg-open', [url]]);
    expect(browserCommand({ platform: 'linux', home: '/h', env: { BROWSER: 'firefox' } }, url)).toEqual(['firefox', [url]]);
    expect(browserCommand({ platform: 'darwin', home: '/h', env: {} }, url)).toEqual(['open', [url]]);
    expect(browserCommand({ platform: 'win32', home: 'C:\\h', env: {} }, url)).toEqual(['rundll32.exe', ['url.dll,FileProtocolHandler', url]]);
  });

  it('the opener runs on its own, not waited for; one that fails at once, or is not there, is said', async () => {
    const dir = tmp();
    const opener = `${dir}/opener`;
    await execa('/bin/sh', ['-c', `printf '#!/bin/sh\\necho "$1" >${dir}/opened\\necho $$ >${dir}/pid\\nexec sleep 30\\n' >${opener} && chmod +x ${opener}`]);
    expect(await openInBrowser({ platform: 'linux', home: dir, env: { BROWSER: opener, PATH: '/usr/bin:/bin' } }, 'http://127.0.0.1:1/?token=x')).toBeUndefined();
    expect((await execa('cat', [`${dir}/opened`])).stdout).toBe('http://127.0.0.1:1/?token=x');
    // Still running: it was not waited for.
    const pid = Number((await execa('cat', [`${dir}/pid`])).stdout);
    expect(process.kill(pid, 0)).toBe(true);
    process.kill(pid, 'SIGTERM');
    expect(await openInBrowser({ platform: 'linux', home: dir, env: { BROWSER: `${dir}/none` } }, 'http://x/')).toBe(`${dir}/none: not found`);
    expect(await openInBrowser({ platform: 'linux', home: dir, env: { BROWSER: '/bin/false' } }, 'http://x/')).toBe('/bin/false exited 1');
  });
});
