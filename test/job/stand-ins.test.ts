// The stand-in programs of the e2e tests (apptainer, nvidia-smi, code) refuse
// what the real ones refuse, with their messages and exit codes (see the
// *.facts.md beside each), and record what they were asked. No cluster needed:
// every case here stops before a container would start, except one that needs
// bubblewrap.
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
const RUN_HELP = "Run 'apptainer --help' for more detailed usage information.\n";

describe('stand-in apptainer (Apptainer 1.4.5)', () => {
  let dir: string;
  let apptainer: string;
  const app = (...args: string[]) => run(apptainer, args, { cwd: dir });

  beforeAll(() => {
    dir = tmp();
    fs.mkdirSync(path.join(dir, 'stand-ins/bin'), { recursive: true });
    apptainer = path.join(dir, 'stand-ins/bin/apptainer');
    fs.copyFileSync(path.join(ROOT, 'test/e2e/containers/stand-ins/apptainer'), apptainer);
    fs.chmodSync(apptainer, 0o755);
    // A sandbox image without a shell, a source to bind, and the registry.
    for (const d of ['img/usr/bin', 'img/etc', 'src', 'stand-ins/registry/registry.example.org_team_tools_1/etc']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    for (const link of ['bin', 'lib', 'lib64', 'sbin']) fs.symlinkSync(`usr/${link}`, path.join(dir, 'img', link));
    fs.writeFileSync(path.join(dir, 'img/marker'), 'x\n');
    fs.writeFileSync(path.join(dir, 'stand-ins/registry/registry.example.org_team_tools_1/etc/os-release'), 'ID=tools\n');
  });

  it('version prints the bare version', () => {
    expect(app('version')).toEqual({ code: 0, stdout: '1.4.5\n', stderr: '' });
  });

  it('an unknown flag is a cobra error: "Error ..." on stderr, the options on stdout, exit 1', () => {
    const r = app('exec', '--nope', 'img', 'true');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error for command "exec": unknown flag: --nope\n\n');
    expect(r.stdout).toMatch(/^Options for exec command:\n\n {2}-B, --bind stringArray/);
    expect(r.stdout.endsWith(`\n\n${RUN_HELP}`)).toBe(true);
    expect(app('exec', '-eZx', 'img', 'true').stderr).toBe('Error for command "exec": unknown shorthand flag: \'Z\' in -Zx\n\n');
    expect(app('exec', '--bind').stderr).toBe('Error for command "exec": flag needs an argument: --bind\n\n');
    expect(app('exec', '--cleanenv=xyz', 'img', 'true').stderr).toBe('Error for command "exec": invalid argument "xyz" for "-e, --cleanenv" flag: strconv.ParseBool: parsing "xyz": invalid syntax\n\n');
  });

  it('exec needs an image and a command; pull takes [output file] <URI>', () => {
    expect(app('exec', 'img')).toEqual({
      code: 1,
      stderr: 'Error for command "exec": requires at least 2 arg(s), only received 1\n\n',
      stdout: `Usage:\n  apptainer [global options...] exec [exec options...] <container> <command>\n\n${RUN_HELP}`,
    });
    const r = app('pull', 'a', 'b', 'c');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error for command "pull": accepts between 1 and 2 arg(s), received 3\n\n');
    expect(r.stdout).toContain('apptainer [global options...] pull [pull options...] [output file] <URI>');
  });

  it('an unknown command prints the root usage, exit 1', () => {
    const r = app('nope');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error: unknown command "nope" for "apptainer"\n\n');
    expect(r.stdout).toMatch(/^Usage:\n {2}apptainer \[global options\.\.\.\] <command>\n\nAvailable Commands:\n/);
  });

  it('a missing image is FATAL (exit 255), named by its absolute path', () => {
    expect(app('exec', 'nothere.sif', 'true')).toEqual({
      code: 255,
      stdout: '',
      stderr: `FATAL:   While checking container encryption: could not open image ${dir}/nothere.sif: failed to retrieve path for ${dir}/nothere.sif: lstat ${dir}/nothere.sif: no such file or directory\n`,
    });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image\n');
    expect(app('exec', 'notes.txt', 'true').stderr).toBe(`FATAL:   While checking container encryption: could not open image ${dir}/notes.txt: image format not recognized\n`);
  });

  it('--bind follows bind.go: options, too many colons, relative destinations, missing sources', () => {
    const fatal = (spec: string) => app('exec', '--bind', spec, 'img', 'true');
    expect(fatal(`${dir}/src:/data:ro:x`)).toMatchObject({ code: 255, stderr: `FATAL:   While setting bind mount configuration: while parsing bind path: while getting bind path: bad bind syntax "${dir}/src:/data:ro:": should be ${dir}/src:/data:ro\n` });
    expect(fatal(`${dir}/src:/data:foo`).stderr).toBe('FATAL:   While setting bind mount configuration: while parsing bind path: while getting bind path: foo is not a valid bind option\n');
    expect(fatal(`${dir}/src:/data:`).stderr).toBe('FATAL:   While setting bind mount configuration: while parsing bind path: while getting bind path:  is not a valid bind option\n');
    expect(fatal(`${dir}/src:data`).stderr).toBe(`FATAL:   container creation failed: unable to add ${dir}/src to mount list: destination must be an absolute path\n`);
    expect(fatal(`${dir}/src::ro`).stderr).toBe(`FATAL:   container creation failed: unable to add ${dir}/src to mount list: destination must be an absolute path\n`);
    expect(fatal('/nope:/data')).toEqual({
      code: 255,
      stdout: '',
      stderr: 'WARNING: skipping mount of /nope: stat /nope: no such file or directory\nFATAL:   container creation failed: mount hook function failure: mount /nope->/data error: while mounting /nope: mount source /nope doesn\'t exist\n',
    });
    // A comma-separated list: the second bind's destination is relative.
    expect(fatal(`${dir}/src:/data:ro,${dir}/src:rel`).stderr).toBe(`FATAL:   container creation failed: unable to add ${dir}/src to mount list: destination must be an absolute path\n`);
    // "^" splits like a comma; a leading ":" is dropped.
    expect(fatal('/no^pe:/data').stderr).toContain('mount source /no doesn\'t exist');
    expect(fatal(':/nope').stderr).toContain('mount /nope->/nope error');
  });

  it('flags stop at the image: a flag after it is the command, looked up in the image', () => {
    expect(app('exec', 'img', '--cleanenv', 'true')).toEqual({ code: 255, stdout: '', stderr: 'FATAL:   "--cleanenv": executable file not found in $PATH\n' });
    expect(app('exec', '--cleanenv', '--no-home', 'img', '/bin/sh', '-c', 'true').stderr).toBe('FATAL:   stat /bin/sh: no such file or directory\n');
    expect(app('exec', 'img', '/marker').stderr).toBe('FATAL:   permission denied\n');
  });

  it('pull: an existing file, a reference the registry lacks, a missing transport; a pulled image is a tar file', () => {
    fs.writeFileSync(path.join(dir, 'have.sif'), '');
    expect(app('pull', 'have.sif', 'docker://registry.example.org/team/tools:1')).toEqual({ code: 255, stdout: '', stderr: 'FATAL:   Image file already exists: "have.sif" - will not overwrite\n' });
    expect(app('pull', 'out.sif', 'docker://registry.example.org/team/missing:2').stderr).toBe(
      'FATAL:   While making image from oci registry: error fetching image to cache: failed to get checksum for docker://registry.example.org/team/missing:2: reading manifest 2 in registry.example.org/team/missing: manifest unknown\n',
    );
    expect(app('pull', 'out.sif').stderr).toBe('FATAL:   No transport type URI supplied\n');
    expect(app('pull', 'out.sif', 'foo://bar').stderr).toBe('FATAL:   Unsupported transport type: foo\n');
    const r = app('pull', 'tools.sif.partial-1', 'docker://registry.example.org/team/tools:1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('INFO:    Converting OCI blobs to SIF format');
    const list = spawnSync('tar', ['-tf', path.join(dir, 'tools.sif.partial-1')], { encoding: 'utf8' }).stdout;
    expect(list).toContain('./etc/os-release');
  });

  it('what the real program accepts but the stand-in does not implement stops with exit 2', () => {
    expect(app('exec', '--fakeroot', 'img', 'true')).toMatchObject({ code: 2, stderr: 'apptainer stand-in: exec --fakeroot is not part of the stand-in\n' });
    expect(app('build', 'x.sif', 'img').code).toBe(2);
  });

  it('records every call in calls.log next to its bin/ folder', () => {
    const log = fs.readFileSync(path.join(dir, 'stand-ins/calls.log'), 'utf8').split('\n');
    expect(log[0]).toBe('apptainer version');
    expect(log).toContain('apptainer exec --nope img true');
    expect(log).toContain(`apptainer exec --bind ${dir}/src:data img true`);
  });

  const bwrap = spawnSync('bwrap', ['--bind', '/', '/', '--dev', '/dev', 'true']).status === 0;
  it.skipIf(!bwrap)('exec runs the command in the image with the binds and the environment of --cleanenv', () => {
    const r = run(apptainer, ['exec', '--cleanenv', '--no-home', '--bind', '/usr:/usr:ro', '--bind', `${dir}/src:/data`, 'img', '/usr/bin/env'], {
      cwd: dir,
      env: { LANG: 'C.UTF-8', TERM: 'xterm', SECRET: 'x' },
    });
    expect(r.code, r.stderr).toBe(0);
    const env = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env).toMatchObject({ LANG: 'C', TERM: 'xterm', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', APPTAINER_CONTAINER: `${dir}/img`, APPTAINER_NAME: 'img', APPTAINER_BIND: '/usr,/data', APPTAINER_COMMAND: 'exec', PS1: 'Apptainer> ' });
    expect(env.SECRET).toBeUndefined();
  });
});

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
