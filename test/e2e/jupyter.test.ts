// `slurmhop jupyter` against the local cluster, from a laptop the setup
// wizard configured: the real Jupyter Notebook of Debian's packages on the
// nodes, started in the job from the user's environment (env_setup), and a
// real browser on the laptop side (Debian's Chromium, headless: browser.ts)
// that opens the forwarded URL, finds the notebook UI, runs a cell in a
// kernel on the node and keeps a screenshot (.cache/e2e-jupyter/). Ctrl-C
// stops Jupyter and its kernel on the node and the forward on the laptop;
// the job it had to submit ends, or stays when the user says so in a
// terminal; a job that was there is never ended. User: pia.
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { inTerminal } from '../setup/terminal.js';
import { Browser, CHROMIUM, HEADLESS } from './browser.js';
import { homeOf, installRemote, jobsOf, onNode, resetUser, ROOT, waitFor, writeConfig } from './harness.js';
import { itOnceOnBookworm } from './once-on-bookworm.js';
import { sshProcessesOf, SLURMHOP, wizardLaptop, type WizardLaptop } from './wizard-laptop.js';

const USER = 'pia';
const tmp = tempDirs('slurmhop-jupyter-e2e-');
const PROJECT = `${homeOf(USER)}/jupyter-e2e`;
/** The test's artifacts: screenshots of what the browser showed. */
export const ARTIFACTS = path.join(ROOT, '.cache', 'e2e-jupyter');
const MARK = 'set-by-env-setup';
let laptop: WizardLaptop;

const NOTEBOOK = {
  cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['import os, socket\n', 'print("ran on", socket.gethostname(), os.environ.get("SLURMHOP_E2E_MARK"))'] }],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

beforeAll(async () => {
  installRemote(USER);
  writeConfig(USER, `[profile.cpu]\npartition = interactive\ntime = 20:00\nenv_setup = export SLURMHOP_E2E_MARK=${MARK}\n`);
  await resetUser(USER);
  fs.mkdirSync(PROJECT, { recursive: true });
  fs.writeFileSync(path.join(PROJECT, 'hello.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
  await execa('chown', ['-R', `${USER}:${USER}`, PROJECT]);
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  laptop = await wizardLaptop(USER, tmp);
});

afterAll(async () => {
  await laptop?.dispose();
  await onNode('login', 'root', ['scancel', '-u', USER]);
  fs.rmSync(PROJECT, { recursive: true, force: true });
});

/** The user's live processes whose command line matches (zombies are gone already). */
async function processesOf(pattern: RegExp): Promise<string[]> {
  const ps = await execa('ps', ['-u', USER, '-o', 'pid=,stat=,args='], { reject: false });
  return String(ps.stdout).split('\n').filter((l) => pattern.test(l) && !/^\s*\d+\s+Z/.test(l));
}

/** Runs `slurmhop jupyter` without a terminal; resolves the URL it prints. */
function jupyter(args: string[], env: Record<string, string> = {}): { run: ResultPromise; url: Promise<string>; stderr: () => string } {
  const run = laptop.slurmhop(['jupyter', ...args], { env: { ...laptop.env, ...env } }) as ResultPromise;
  let out = '';
  let err = '';
  run.stdout!.on('data', (d) => (out += String(d)));
  run.stderr!.on('data', (d) => (err += String(d)));
  const url = (async () => {
    await waitFor(() => /^http:\/\/127\.0\.0\.1:\d+\/\S*\n/m.test(out) || run.exitCode !== null, 120_000, 'the URL');
    const m = /^(http:\/\/127\.0\.0\.1:\d+\/\S*)\n/m.exec(out);
    if (!m) throw new Error(`no URL; exit ${run.exitCode}; stderr:\n${err}`);
    return m[1]!;
  })();
  return { run, url, stderr: () => err };
}

describe('slurmhop jupyter', () => {
  itOnceOnBookworm('no job yet: submits one, starts Jupyter there from the user\'s environment, and a browser here runs a cell on the node; Ctrl-C stops it all and ends the job', async () => {
    const j = jupyter(['cpu', 'jupyter-e2e']);
    const url = await j.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const [job] = await jobsOf(USER);
    expect(j.stderr()).toContain(`job ${job!.id} on ${job!.node} was submitted for this Jupyter: at the end it ends (--keep-job keeps it)`);
    expect(j.stderr()).toMatch(new RegExp(`Jupyter Notebook 6\\.\\d+\\.\\d+ runs on ${job!.node} \\(job ${job!.id}\\), forwarded to port \\d+ here; Ctrl-C stops it`));

    // env_setup's environment, and the token only in the environment, never in a command line another user can read.
    const [server] = await processesOf(/jupyter-notebook --no-browser --ip=127\.0\.0\.1/);
    expect(server).toBeDefined();
    const pid = server!.trim().split(/\s+/)[0]!;
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`SLURMHOP_E2E_MARK=${MARK}`);
    expect(environ).toContain(`JUPYTER_TOKEN=${url.split('token=')[1]}`);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(url.split('token=')[1]!);

    const browser = await Browser.launch();
    try {
      await browser.goto(url);
      await browser.waitFor(`[...document.querySelectorAll('#notebook_list .item_name')].some((e) => e.textContent === 'hello.ipynb')`, 'the notebook list with hello.ipynb');
      await browser.screenshot(path.join(ARTIFACTS, 'tree.png'));
      const base = url.replace(/\?token=.*$/, '');
      await browser.goto(`${base}notebooks/hello.ipynb`);
      await browser.waitFor('window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()', 'the notebook\'s kernel');
      await browser.evaluate('Jupyter.notebook.execute_all_cells(), true');
      await browser.waitFor(`[...document.querySelectorAll('.output_area pre')].some((e) => e.textContent.includes('ran on'))`, 'the cell\'s output');
      const output = await browser.evaluate<string>(`[...document.querySelectorAll('.output_area pre')].map((e) => e.textContent).join('\\n')`);
      // The kernel runs on the job's node, with what env_setup exported.
      expect(output.trim()).toBe(`ran on ${job!.node} ${MARK}`);
      await browser.screenshot(path.join(ARTIFACTS, 'notebook.png'));
      const port = new URL(url).port;
      expect(browser.requests.filter((u) => !u.startsWith(`http://127.0.0.1:${port}/`) && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(await processesOf(/ipykernel_launcher/)).toHaveLength(1);

    j.run.kill('SIGINT');
    const r = await j.run;
    expect(r.exitCode, j.stderr()).toBe(0);
    expect(j.stderr()).toContain(`stopping Jupyter on ${job!.node}`);
    expect(j.stderr()).toMatch(new RegExp(`stopped Jupyter( and \\d+ process(es)? it left)? on ${job!.node}; the forward ended`));
    expect(j.stderr()).toContain(`cancelled job ${job!.id} (cpu`);
    // Nothing is left: no Jupyter, no kernel, no runtime directory in the job; no ssh here; the job is gone.
    expect(await processesOf(/jupyter|ipykernel/)).toEqual([]);
    expect(fs.readdirSync('/tmp').filter((f) => f.startsWith('slurmhop-jupyter.'))).toEqual([]);
    await waitFor(async () => (await sshProcessesOf(laptop)).length === 0, 10_000, 'the laptop\'s ssh to go (its ProxyCommand is told to go, not waited for)');
    await waitFor(async () => (await jobsOf(USER)).length === 0, 60_000, 'the job to leave the queue');
    expect(fs.existsSync(path.join(ARTIFACTS, 'notebook.png'))).toBe(true);
  });

  itOnceOnBookworm('in a terminal, Ctrl-C stops Jupyter, then asks about the job it submitted: "n" keeps it', async () => {
    const t = inTerminal([process.execPath, SLURMHOP, 'jupyter', 'cpu'], { env: laptop.env, cwd: laptop.home });
    const at = await t.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}\n/);
    expect(t.screen()).toMatch(/was submitted for this Jupyter: at the end it ends, unless you say to keep it/);
    const page = await fetch(/http:\S+/.exec(t.screen().slice(t.screen().lastIndexOf('http://127.0.0.1')))![0]);
    expect(page.status).toBe(200);
    await t.type('\x03');
    const asked = await t.waitFor(/\? End job \d+ on c[12], which was submitted for this Jupyter .*\? \(Y\/n\): /, at);
    expect(t.screen().slice(at, asked)).toMatch(/stopped Jupyter( and \d+ process(es)? it left)? on c[12]; the forward ended/);
    expect(await processesOf(/jupyter-notebook/)).toEqual([]);
    await t.type('n\r');
    await t.waitFor(/job \d+ \(cpu\) stays: it ends by itself after idle_timeout with no session; "slurmhop cancel \d+" ends it now/, asked);
    expect((await t.done).exitCode, t.screen()).toBe(0);
    expect((await jobsOf(USER)).map((j) => j.state)).toEqual(['RUNNING']);
  });

  itOnceOnBookworm('a job that was there: used, and never ended; Jupyter dying on the node: exit 7 with its last lines; --lab where only the Notebook is installed: exit 11', async () => {
    const [kept] = await jobsOf(USER);
    // --open: $BROWSER is the real Chromium, headless, writing the page it was given as its DOM.
    const opened = path.join(laptop.dir, 'opened.html');
    const browser = path.join(laptop.dir, 'browser');
    fs.writeFileSync(browser, `#!/bin/sh\nexec ${CHROMIUM} ${HEADLESS.join(' ')} --user-data-dir=${laptop.dir}/chromium --virtual-time-budget=10000 --dump-dom "$1" >${opened} 2>/dev/null\n`, { mode: 0o755 });
    const j = jupyter(['cpu', '--notebook', '--end-job', '--open'], { BROWSER: browser });
    const url = await j.url;
    expect(j.stderr()).not.toContain('was submitted for this Jupyter');
    await waitFor(() => fs.existsSync(opened) && fs.readFileSync(opened, 'utf8').includes('</html>'), 60_000, 'the page --open opened');
    expect(fs.readFileSync(opened, 'utf8')).toContain('id="notebook_list"');
    expect(j.stderr()).not.toContain('could not open a browser');
    const [server] = await processesOf(/jupyter-notebook --no-browser/);
    process.kill(Number(server!.trim().split(/\s+/)[0]), 'SIGKILL');
    expect((await j.run).exitCode, j.stderr()).toBe(7);
    expect(j.stderr()).toMatch(/slurmhop: Jupyter on c[12] exited \(137\)\nslurmhop: its last lines:\n {4}\S/);
    expect(j.stderr()).not.toContain('cancelled');
    await waitFor(async () => (await sshProcessesOf(laptop)).length === 0, 10_000, 'the laptop\'s ssh to go');

    const lab = await laptop.slurmhop(['jupyter', 'cpu', '--lab']);
    expect(lab.exitCode).toBe(11);
    expect(String(lab.stderr)).toMatch(/slurmhop: jupyter-lab is not on PATH in your cpu job on c[12] \(PATH there: \S+\)/);
    expect(String(lab.stderr)).toContain("set it up in the profile's env_setup");
    expect(await jobsOf(USER)).toEqual([kept]);
    expect(await processesOf(/jupyter/)).toEqual([]);
  });
});
