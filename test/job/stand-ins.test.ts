// The stand-in programs of the e2e tests (nvidia-smi, code: no GPU and no VS
// Code here) refuse what the real ones refuse, with their messages and exit
// codes (see the *.facts.md beside each), and record what they were asked. No
// cluster needed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = tempDirs('slurmhop-stand-ins-');

interface Run { code: number | null; stdout: string; stderr: string }
function run(program: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Run {
  const r = spawnSync(program, args, { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.cwd, ...opts.env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('stand-in nvidia-smi', () => {
  let dir: string;
  let smi: string;
  const QUERY = ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits'];
  const nv = (...args: string[]) => run(smi, args, { cwd: dir });

  beforeAll(() => {
    dir = tmp();
    smi = path.join(dir, 'nvidia-smi');
    fs.copyFileSync(path.join(ROOT, 'test/e2e/stand-ins/nvidia-smi'), smi);
    fs.chmodSync(smi, 0o755);
  });

  it('without a driver (no utilization file) every call fails with exit 9, as nvidia-smi does', () => {
    const message = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n";
    expect(nv(...QUERY)).toEqual({ code: 9, stdout: message, stderr: '' });
    expect(nv('--nope').code).toBe(9);
  });

  it('prints one line per GPU, in the order -i asks', () => {
    fs.writeFileSync(path.join(dir, 'utilization'), '87\n0\n');
    expect(nv(...QUERY)).toEqual({ code: 0, stdout: '87\n0\n', stderr: '' });
    expect(nv(...QUERY, '-i', '1').stdout).toBe('0\n');
    expect(nv(...QUERY, '-i', '1,0').stdout).toBe('0\n87\n');
    expect(nv(...QUERY, '--id=GPU-00000000-0000-0000-0000-000000000000').stdout).toBe('87\n');
    expect(nv('--query-gpu=utilization.gpu', '--format=csv').stdout).toBe('utilization.gpu [%]\n87 %\n0 %\n');
  });

  it('refuses what nvidia-smi refuses', () => {
    const invalid = "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n";
    expect(nv('--nope')).toEqual({ code: 2, stdout: invalid, stderr: '' });
    expect(nv('--query-gpu', 'utilization.gpu', '--format', 'csv')).toEqual({ code: 2, stdout: invalid, stderr: '' });
    expect(nv('--query-gpu=utilization.gpu')).toEqual({ code: 2, stdout: 'Format modifier --format=csv is mandatory.\n', stderr: '' });
    expect(nv('--query-gpu=utilization.gpu', '--format=noheader')).toEqual({ code: 2, stdout: 'Format modifier --format=csv is mandatory.\n', stderr: '' });
    expect(nv('--query-gpu=utilization.gpu', '--format=json')).toEqual({ code: 2, stdout: 'Format modifier is not recognized.\n', stderr: '' });
    expect(nv('--query-gpu=cuda_version', '--format=csv')).toEqual({ code: 2, stdout: 'Field "cuda_version" is not a valid field to query.\n', stderr: '' });
    expect(nv(...QUERY, '-i')).toEqual({ code: 2, stdout: "ERROR: Option -i is missing its value. Please run 'nvidia-smi -h' for help.\n", stderr: '' });
    expect(nv(...QUERY, '-i', '2')).toEqual({ code: 6, stdout: 'No devices were found\n', stderr: '' });
    expect(nv(...QUERY, '-i', 'NoDevFiles').code).toBe(6);
    expect(nv('--query-gpu=memory.used', '--format=csv').code).toBe(64); // real, not implemented
  });

  it('a node without GPUs: No devices were found, exit 6; the file can be named by NVIDIA_SMI_STAND_IN_UTILIZATION', () => {
    fs.writeFileSync(path.join(dir, 'none'), '');
    expect(run(smi, QUERY, { cwd: dir, env: { NVIDIA_SMI_STAND_IN_UTILIZATION: path.join(dir, 'none') } })).toEqual({ code: 6, stdout: 'No devices were found\n', stderr: '' });
  });

  it('records every call in calls.log beside it', () => {
    const log = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').split('\n');
    expect(log).toContain('nvidia-smi --query-gpu=utilization.gpu --format=csv\\,noheader\\,nounits -i 1\\,0'); // bash's %q
  });
});

describe('stand-in code (VS Code CLI)', () => {
  let dir: string;
  let code: string;
  let log: string;
  const vs = (...args: string[]) => run(code, args, { cwd: dir, env: { CODE_STAND_IN_LOG: log } });
  const last = () => JSON.parse(fs.readFileSync(log, 'utf8').trim().split('\n').at(-1)!);

  beforeAll(() => {
    dir = tmp();
    code = path.join(dir, 'code');
    log = path.join(dir, 'code.jsonl');
    fs.copyFileSync(path.join(ROOT, 'test/e2e/stand-ins/code'), code);
    fs.chmodSync(code, 0o755);
  });

  it('records --remote with a path, and --folder-uri with -n/-r', () => {
    expect(vs('--remote', 'ssh-remote+slurm-gpu', '/home/ada/proj')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(last()).toEqual({
      argv: ['--remote', 'ssh-remote+slurm-gpu', '/home/ada/proj'], cwd: dir, remote: 'ssh-remote+slurm-gpu', folderUris: [], fileUris: [],
      paths: ['/home/ada/proj'], newWindow: false, reuseWindow: false, wait: false, warnings: [],
    });
    vs('--folder-uri', 'vscode-remote://ssh-remote+slurm-gpu/home/ada/proj', '-n');
    expect(last()).toMatchObject({ remote: null, folderUris: ['vscode-remote://ssh-remote+slurm-gpu/home/ada/proj'], paths: [], newWindow: true, reuseWindow: false });
    vs('-r', '--folder-uri=vscode-remote://ssh-remote+h/a', '--folder-uri', 'vscode-remote://ssh-remote+h/b');
    expect(last()).toMatchObject({ folderUris: ['vscode-remote://ssh-remote+h/a', 'vscode-remote://ssh-remote+h/b'], reuseWindow: true });
  });

  it('warns as code does and still exits 0', () => {
    const unknown = vs('--nope', '/home/ada/proj');
    expect(unknown).toEqual({ code: 0, stdout: '', stderr: "Warning: 'nope' is not in the list of known options, but still passed to Electron/Chromium.\n" });
    expect(last()).toMatchObject({ paths: [] }); // the unknown option took the path as its value
    expect(vs('--remote', 'a', '--remote', 'b', '/p').stderr).toBe("Option 'remote' is defined more than once. Using value 'b'.\n");
    expect(last()).toMatchObject({ remote: 'b', paths: ['/p'] });
    expect(vs('--folder-uri').stderr).toBe("Option 'folder-uri' requires a non empty value. Ignoring the option.\n");
    expect(last()).toMatchObject({ folderUris: [] });
    vs('--remote');
    expect(last()).toMatchObject({ remote: '', warnings: [] }); // --remote may be empty
  });

  it('what code accepts but the stand-in does not implement stops with exit 64', () => {
    expect(vs('--version')).toEqual({ code: 64, stdout: '', stderr: 'code stand-in: --version is not part of the stand-in\n' });
    expect(vs('tunnel').code).toBe(64);
  });
});
