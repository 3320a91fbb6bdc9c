// What slurmhop asks each container runtime to do: the calls, recorded by a
// stand-in exec (no runtime runs here), against golden files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareContainer, type ContainerSettings } from '../../../src/job/container/index.js';
import { PROBE_SCRIPT } from '../../../src/job/container/probe.js';
import type { Exec } from '../../../src/job/container/runner.js';
import { expectGolden } from '../../helpers/golden.js';
import { tempDirs } from '../../helpers/tmp.js';

const golden = (name: string) => path.join(import.meta.dirname, 'golden', name);
const tmp = tempDirs('slurmhop-container-');

const PROBE_OUTPUT = 'slurmhop-probe sshd /usr/sbin/sshd\nslurmhop-probe env\nPATH=/opt/conda/bin:/usr/bin:/bin\nHOME=/root\nCONDA_PREFIX=/opt/conda\n';

/** A node with the runtimes' programs on PATH (empty files, never run: the exec below answers). */
function fakeNode(programs: string[]) {
  const root = tmp();
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  for (const p of programs) fs.writeFileSync(path.join(bin, p), '', { mode: 0o755 });
  const home = path.join(root, 'home', 'ada');
  fs.mkdirSync(path.join(home, 'images'), { recursive: true });
  fs.writeFileSync(path.join(home, 'images', 'pytorch.sqsh'), 'sqsh');
  fs.writeFileSync(path.join(home, 'images', 'tools.sif'), 'sif');
  fs.mkdirSync('/tmp/slurmhop-test-scratch', { recursive: true });
  const calls: string[] = [];
  const listed = new Set<string>();
  const exec: Exec = async (program, args) => {
    calls.push(recorded(root, [program, ...args]));
    if (args[0] === 'list') return { exitCode: 0, stdout: [...listed].join('\n'), stderr: '' };
    if (args[0] === 'create') listed.add(args[2]!);
    if (args[0] === 'import' || args[0] === 'pull') fs.writeFileSync(args[0] === 'import' ? args[2]! : args[1]!, 'image');
    if (args.includes(PROBE_SCRIPT)) return { exitCode: 0, stdout: PROBE_OUTPUT, stderr: '' };
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    SLURM_JOB_ID: '42',
    SLURM_SUBMIT_DIR: home,
    CUDA_VISIBLE_DEVICES: '0',
    LD_LIBRARY_PATH: '/cm/shared/lib',
    CUDA_HOME: '/cm/shared/cuda/12.4',
    EBROOTGCC: '/sw/gcc/13',
    HOME: home,
  };
  return { root, home, bin, calls, exec, env };
}

/** One call per line, arguments separated by ␣; what changes from run to run is named instead. */
function recorded(root: string, argv: string[]): string {
  return argv
    .map((a) => (a === PROBE_SCRIPT ? '<probe script>' : a.replaceAll(root, '<node>').replace(/partial-\d+/, 'partial-<pid>').replace(/slurmhop-[0-9a-f]{12}/, 'slurmhop-<image hash>')))
    .join(' ␣ ');
}

async function prepared(settings: ContainerSettings, programs: string[]) {
  const node = fakeNode(programs);
  const result = await prepareContainer(settings, {
    env: node.env,
    stateDir: path.join(node.home, '.local/state/slurmhop'),
    node: 'c1',
    jobId: '42',
    hostKey: path.join(node.home, '.local/state/slurmhop/hostkey/ssh_host_ed25519_key'),
    log: () => {},
    exec: node.exec,
    home: node.home,
  });
  const sshd = result.run.argv(['/usr/sbin/sshd', '-D', '-e', '-f', `${node.home}/.local/state/slurmhop/jobs/42/sshd_config`], 'slurmhop-42-1');
  node.calls.push(`session: ${recorded(node.root, sshd)}`);
  return { ...node, result };
}

const mounts = ['/tmp/slurmhop-test-scratch', '/tmp/slurmhop-test-scratch:/data:ro'];

describe('container runtimes: the calls made (recorded, no runtime runs here)', () => {
  it('enroot: imports a registry image once, creates a named container, starts it --rw with the mounts', async () => {
    const { calls } = await prepared({ image: 'docker://nvcr.io/nvidia/pytorch:24.01-py3', runtime: 'enroot', mounts, slurm: false }, ['enroot']);
    expectGolden(golden('enroot-registry.txt'), `${calls.join('\n')}\n`);
    expect(calls.filter((c) => c.includes(' ␣ import ␣ '))).toHaveLength(1);
  });

  it('enroot: a .sqsh file is created directly (no import)', async () => {
    const { calls } = await prepared({ image: '~/images/pytorch.sqsh', runtime: 'auto', mounts: [], slurm: false }, ['enroot', 'podman']);
    expectGolden(golden('enroot-sqsh.txt'), `${calls.join('\n')}\n`);
  });

  it('apptainer: pulls a registry image to a cached .sif once, then exec with binds', async () => {
    const { calls } = await prepared({ image: 'docker://ubuntu:24.04', runtime: 'apptainer', mounts, slurm: false }, ['singularity']);
    expectGolden(golden('apptainer-registry.txt'), `${calls.join('\n')}\n`);
  });

  it('apptainer: a .sif runs as it is', async () => {
    const { calls } = await prepared({ image: '~/images/tools.sif', runtime: 'auto', mounts: [], slurm: false }, ['apptainer']);
    expectGolden(golden('apptainer-sif.txt'), `${calls.join('\n')}\n`);
  });

  it('podman: run --network host as the user, in the job\'s cgroup', async () => {
    const { calls } = await prepared({ image: 'docker://ubuntu:24.04', runtime: 'podman', mounts, slurm: false }, ['podman']);
    expectGolden(golden('podman-registry.txt'), `${calls.join('\n')}\n`);
  });

  it('sessions get the image\'s environment and the job\'s, not the node\'s paths', async () => {
    const { result } = await prepared({ image: 'docker://ubuntu:24.04', runtime: 'podman', mounts: [], slurm: false }, ['podman']);
    expect(result.sessionEnv).toMatchObject({ PATH: '/opt/conda/bin:/usr/bin:/bin', CONDA_PREFIX: '/opt/conda', SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '0' });
    expect(result.sessionEnv.SLURM_SUBMIT_DIR).toBeDefined();
    for (const nodeOnly of ['LD_LIBRARY_PATH', 'CUDA_HOME', 'EBROOTGCC']) expect(result.sessionEnv[nodeOnly], nodeOnly).toBeUndefined();
    expect(result.sessionEnv.HOME).not.toBe('/root');
  });
});

describe('when the probe run fails', () => {
  it('enroot forgets the container it made (it may be half made), so the next job makes it again', async () => {
    const node = fakeNode(['enroot']);
    const exec: Exec = async (program, args, options) => (args.includes(PROBE_SCRIPT) ? { exitCode: 1, stdout: '', stderr: '[ERROR] No such file or directory: /bin/sh' } : node.exec(program, args, options));
    const settings: ContainerSettings = { image: 'docker://ubuntu:24.04', runtime: 'enroot', mounts: [], slurm: false };
    const deps = { env: node.env, stateDir: path.join(node.home, 'state'), node: 'c1', jobId: '42', hostKey: '/k', log: () => {}, exec, home: node.home };
    await expect(prepareContainer(settings, deps)).rejects.toThrow('has no /bin/sh');
    expect(node.calls.at(-1)).toMatch(/^<node>\/bin\/enroot ␣ remove ␣ --force ␣ slurmhop-<image hash>$/);
  });
});

describe('choosing a runtime', () => {
  it('auto picks the first runtime on the node that can run the image', async () => {
    expect((await prepared({ image: 'docker://ubuntu', runtime: 'auto', mounts: [], slurm: false }, ['podman', 'apptainer'])).result.run.runtime).toBe('apptainer');
    expect((await prepared({ image: 'docker://ubuntu', runtime: 'auto', mounts: [], slurm: false }, ['podman'])).result.run.runtime).toBe('podman');
  });

  it('a missing runtime or image is named, with what to do', async () => {
    await expect(prepared({ image: 'docker://ubuntu', runtime: 'enroot', mounts: [], slurm: false }, ['podman'])).rejects.toThrow('no container runtime on node c1: enroot is not on PATH');
    await expect(prepared({ image: '~/images/tools.sif', runtime: 'auto', mounts: [], slurm: false }, ['enroot', 'podman'])).rejects.toThrow('apptainer or singularity is not on PATH');
    await expect(prepared({ image: '~/images/gone.sqsh', runtime: 'auto', mounts: [], slurm: false }, ['enroot'])).rejects.toThrow(/gone\.sqsh does not exist on node c1/);
    await expect(prepared({ image: 'docker://ubuntu', runtime: 'podman', mounts: ['/nonexistent-data'], slurm: false }, ['podman'])).rejects.toThrow('container_mounts: /nonexistent-data does not exist on node c1');
  });
});
