// What slurmhop asks each container runtime to do: the calls, recorded by a
// stand-in exec (no runtime runs here), against golden files.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
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
    if (args[0] === 'remove') listed.delete(args[2]!);
    if (args[0] === 'import' || args[0] === 'pull') fs.writeFileSync(args[0] === 'import' ? args[2]! : args[1]!, 'image');
    if (args.includes(PROBE_SCRIPT)) return { exitCode: 0, stdout: PROBE_OUTPUT, stderr: '' };
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:/usr/bin:/bin`,
    SLURM_JOB_ID: '42',
    SLURM_SUBMIT_DIR: home,
    CUDA_VISIBLE_DEVICES: '0',
    LD_LIBRARY_PATH: '/cm/shared/lib',
    CUDA_HOME: '/cm/shared/cuda/12.4',
    EBROOTGCC: '/sw/gcc/13',
    HOME: home,
  };
  return { root, home, bin, calls, exec, env, listed };
}

const allAlive = async (ids: string[]) => new Set(ids);

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
    jobsAlive: allAlive,
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

describe('enroot: the shared container', () => {
  const settings: ContainerSettings = { image: 'docker://ubuntu:24.04', runtime: 'enroot', mounts: [], slurm: false };
  const depsOf = (node: ReturnType<typeof fakeNode>, exec: Exec, jobsAlive = allAlive) => ({
    env: node.env,
    stateDir: path.join(node.home, 'state'),
    node: 'c1',
    jobId: '42',
    hostKey: '/k',
    log: () => {},
    exec,
    home: node.home,
    jobsAlive,
  });
  const removals = (calls: string[]) => calls.filter((c) => c.includes(' ␣ remove ␣ '));

  it('a failed probe (a wrong sshd, no /bin/sh) removes nothing: other jobs may be running in the container', async () => {
    const node = fakeNode(['enroot']);
    const exec: Exec = async (program, args, options) => (args.includes(PROBE_SCRIPT) ? { exitCode: 1, stdout: '', stderr: '[ERROR] No such file or directory: /bin/sh' } : node.exec(program, args, options));
    await expect(prepareContainer(settings, depsOf(node, exec))).rejects.toThrow('has no /bin/sh');
    const noSshd: Exec = async (program, args, options) => (args.includes(PROBE_SCRIPT) ? { exitCode: 0, stdout: 'slurmhop-probe no-sshd\n', stderr: '' } : node.exec(program, args, options));
    await expect(prepareContainer({ ...settings }, depsOf(node, noSshd))).rejects.toThrow('has no sshd');
    expect(removals(node.calls)).toEqual([]);
    expect(node.calls.filter((c) => c.includes(' ␣ create ␣ '))).toHaveLength(1); // the second job used the complete container
  });

  it('a create that fails removes only what it made itself, and says why in the runtime\'s own words', async () => {
    const node = fakeNode(['enroot']);
    const exec: Exec = async (program, args, options) =>
      args[0] === 'create'
        ? (node.listed.add(args[2]!), { exitCode: 2, stdout: '', stderr: "create_inode: could not create character device /d/dev/urandom, because you're not superuser!\ncreated 0 hardlinks" })
        : node.exec(program, args, options);
    await expect(prepareContainer(settings, depsOf(node, exec))).rejects.toThrow(/failed: create_inode: could not create character device .* \(the image's \/dev holds device nodes/);
    expect(removals(node.calls)).toEqual([expect.stringMatching(/remove ␣ --force ␣ slurmhop-<image hash>$/)]);
  });

  it('a container left half made (no completion mark) is made again, unless a running job uses it', async () => {
    const node = fakeNode(['enroot']);
    const first = await prepareContainer(settings, depsOf(node, node.exec));
    await first.run.release?.();
    fs.rmSync(path.join(node.home, 'state', 'containers', fs.readdirSync(path.join(node.home, 'state', 'containers')).find((n) => n.endsWith('.complete'))!));
    // Job 41 still runs in it (a killed job's mark would not count).
    const users = fs.readdirSync(path.join(node.home, 'state', 'containers')).find((n) => n.endsWith('.users'))!;
    fs.writeFileSync(path.join(node.home, 'state', 'containers', users, '41'), '');
    await prepareContainer(settings, depsOf(node, node.exec, async (ids) => new Set(ids.filter((id) => id === '41'))));
    expect(removals(node.calls)).toEqual([]);
    await prepareContainer(settings, depsOf(node, node.exec, async () => new Set()));
    expect(removals(node.calls)).toHaveLength(1);
    expect(node.calls.filter((c) => c.includes(' ␣ create ␣ '))).toHaveLength(2);
  });

  it("without a runtime directory it can make, enroot gets one of the job's own, removed when the job ends; a site setting that works is left alone", async () => {
    const node = fakeNode(['enroot']);
    const denied: Exec = async (program, args, options) =>
      args[0] === 'version' && !node.env.ENROOT_RUNTIME_PATH ? { exitCode: 1, stdout: '', stderr: "mkdir: cannot create directory '/run/enroot': Permission denied" } : node.exec(program, args, options);
    const env = node.env;
    const { run } = await prepareContainer(settings, { ...depsOf(node, denied), tmpDir: tmp() });
    const dir = env.ENROOT_RUNTIME_PATH!;
    expect(dir).toMatch(/slurmhop-enroot-42-/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    await run.release?.();
    expect(fs.existsSync(dir)).toBe(false);

    const site = fakeNode(['enroot']);
    await prepareContainer(settings, { ...depsOf(site, site.exec), tmpDir: tmp() });
    expect(site.env.ENROOT_RUNTIME_PATH).toBeUndefined();
  });

  it('a path enroot cannot mount is refused before enroot runs, naming where it comes from', async () => {
    const node = fakeNode(['enroot']);
    const spaced = path.join(tmp(), 'two words');
    fs.mkdirSync(spaced);
    await expect(prepareContainer({ ...settings, mounts: [spaced] }, depsOf(node, node.exec))).rejects.toThrow(
      `enroot cannot mount ${spaced} (container_mounts): the path contains whitespace, which enroot's --mount cannot carry`,
    );
    expect(node.calls.filter((c) => !c.includes(' ␣ version'))).toEqual([]);
  });
});

describe('the golden calls, checked against the stand-ins\' grammar (the real programs\' own, see stand-ins/*.facts.md)', () => {
  const STAND_INS = path.join(import.meta.dirname, '../../e2e/containers/stand-ins');
  for (const file of fs.readdirSync(path.join(import.meta.dirname, 'golden')).filter((f) => f.startsWith('enroot-'))) {
    it(`${file}: enroot accepts every call's form`, async () => {
      const bin = tmp();
      fs.copyFileSync(path.join(STAND_INS, 'enroot'), path.join(bin, 'enroot'));
      const lines = fs.readFileSync(path.join(import.meta.dirname, 'golden', file), 'utf8').trim().split('\n');
      for (const line of lines) {
        const [, ...args] = line.replace(/^session: /, '').replaceAll('<node>', '/node').replaceAll('<probe script>', 'true').split(' ␣ ');
        const r = await execa('bash', [path.join(bin, 'enroot'), ...args], { reject: false, env: { STANDIN_GRAMMAR_ONLY: '1', HOME: bin, PATH: process.env.PATH } });
        expect({ line, exitCode: r.exitCode, stderr: r.stderr }, r.stdout).toEqual({ line, exitCode: 0, stderr: '' });
      }
    });
  }
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
