// What slurmhop asks each container runtime to do: the calls, recorded by a
// stand-in exec (no runtime runs here), against golden files. The real
// programs take these calls in the e2e tests (test/e2e/containers/: enroot
// 4.1.2, Podman, and Apptainer where a suite ships it).
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

/** The error a promise rejects with (a resolved one fails the test). */
async function rejection(p: Promise<unknown>): Promise<Error & { hint?: string }> {
  return p.then(
    () => expect.fail('no error'),
    (e: unknown) => e as Error & { hint?: string },
  );
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

  it('enroot: podman://IMAGE is imported from the user\'s Podman storage, with podman\'s own runtime directory and a docker that reaches podman', async () => {
    const node = fakeNode(['enroot']);
    let seen: { env?: Record<string, string> } = {};
    let docker = '';
    const exec: Exec = async (program, args, options) => {
      if (args[0] === 'import') {
        seen = options ?? {};
        docker = fs.readFileSync(path.join(options!.env!.PATH!.split(':')[0]!, 'docker'), 'utf8');
      }
      return node.exec(program, args, options);
    };
    delete node.env.XDG_RUNTIME_DIR;
    const tmpDir = tmp();
    await prepareContainer({ image: 'podman://localhost/tools:1', runtime: 'enroot', mounts: [], slurm: false }, { env: node.env, stateDir: path.join(node.home, 'state'), node: 'c1', jobId: '42', hostKey: '/k', log: () => {}, exec, home: node.home, jobsAlive: allAlive, tmpDir });
    expect(node.calls.find((c) => c.includes(' ␣ import ␣ '))).toMatch(/ ␣ import ␣ --output ␣ .+\.sqsh\.partial-<pid> ␣ podman:\/\/localhost\/tools:1$/);
    expect(docker).toBe('#!/bin/sh\ncd / && exec podman "$@"\n');
    const uid = process.getuid!();
    expect(seen.env!.XDG_RUNTIME_DIR).toMatch(fs.existsSync(`/run/user/${uid}`) ? new RegExp(`^/run/user/${uid}$|podman-run-${uid}$`) : new RegExp(`/podman-run-${uid}$`));
    expect(seen.env!.PATH!.endsWith(`:${node.env.PATH}`)).toBe(true);
    // The docker of the import is gone with it.
    expect(fs.readdirSync(tmpDir).filter((n) => n.includes('-import-'))).toEqual([]);
  });

  it('podman runs podman://IMAGE from its own storage; Apptainer, which cannot read it, says so', async () => {
    const { calls } = await prepared({ image: 'podman://localhost/tools:1', runtime: 'podman', mounts: [], slurm: false }, ['podman']);
    expect(calls.at(-1)).toMatch(/ ␣ --entrypoint=\/usr\/sbin\/sshd ␣ localhost\/tools:1 ␣ -D ␣ /);
    await expect(prepared({ image: 'podman://localhost/tools:1', runtime: 'apptainer', mounts: [], slurm: false }, ['apptainer'])).rejects.toThrow("apptainer cannot run podman://localhost/tools:1: it does not read Podman's storage");
    await expect(prepared({ image: 'dockerd://tools:1', runtime: 'podman', mounts: [], slurm: false }, ['podman'])).rejects.toThrow("podman cannot run dockerd://tools:1: it does not read the Docker daemon's images");
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

  const marksDir = (node: ReturnType<typeof fakeNode>) => path.join(node.home, 'state', 'containers');
  const markOf = (node: ReturnType<typeof fakeNode>, suffix: string) => path.join(marksDir(node), fs.readdirSync(marksDir(node)).find((n) => n.endsWith('.complete') || n.endsWith('.creating'))!.replace(/\.(complete|creating)$/, suffix));

  it('a container whose creation was recorded as started and never completed is made again, unless a running job uses it', async () => {
    const node = fakeNode(['enroot']);
    const first = await prepareContainer(settings, depsOf(node, node.exec));
    await first.run.release?.();
    // What a job killed inside `enroot create` leaves: the container listed, the creation mark, no completion.
    fs.renameSync(markOf(node, '.complete'), markOf(node, '.creating'));
    // Job 41 still runs in it (a killed job's mark would not count).
    const users = fs.readdirSync(marksDir(node)).find((n) => n.endsWith('.users'))!;
    fs.writeFileSync(path.join(marksDir(node), users, '41'), '');
    await prepareContainer(settings, depsOf(node, node.exec, async (ids) => new Set(ids.filter((id) => id === '41'))));
    expect(removals(node.calls)).toEqual([]);
    const logs: string[] = [];
    await prepareContainer(settings, { ...depsOf(node, node.exec, async () => new Set()), log: (m: string) => logs.push(m) });
    expect(removals(node.calls)).toEqual([expect.stringMatching(/remove ␣ --force ␣ slurmhop-<image hash>$/)]);
    expect(node.calls.filter((c) => c.includes(' ␣ create ␣ '))).toHaveLength(2);
    // Job 41 has ended (killed with its guard): its mark went; this job's is there.
    expect(fs.readdirSync(path.join(marksDir(node), users))).toEqual(['42']);
    expect(logs).toContain(`enroot container ${path.basename(markOf(node, ''))} was left half made by an earlier job: making it again`);
    expect(fs.existsSync(markOf(node, '.creating'))).toBe(false);
    expect(fs.existsSync(markOf(node, '.complete'))).toBe(true);
  });

  it('a container that no mark records (the state directory moved aside, an older slurmhop) is kept and used, never removed', async () => {
    const node = fakeNode(['enroot']);
    const first = await prepareContainer(settings, depsOf(node, node.exec));
    await first.run.release?.();
    const name = path.basename(markOf(node, ''));
    fs.rmSync(path.join(node.home, 'state'), { recursive: true, force: true });
    const logs: string[] = [];
    const { run } = await prepareContainer(settings, { ...depsOf(node, node.exec, async () => new Set()), log: (m: string) => logs.push(m) });
    expect(removals(node.calls)).toEqual([]);
    expect(node.calls.filter((c) => c.includes(' ␣ create ␣ ') || c.includes(' ␣ import ␣ '))).toHaveLength(2); // the first job's only
    expect(logs[0]).toMatch(new RegExp(`^enroot container ${name} is there but slurmhop has no record of making it .*: kept and used as it is$`));
    expect(run.describe).toBe(`enroot container ${name}`);
    // Recorded now: the next job says nothing about it.
    const later: string[] = [];
    await prepareContainer(settings, { ...depsOf(node, node.exec), log: (m: string) => later.push(m) });
    expect(later.filter((m) => m.includes('no record'))).toEqual([]);
  });

  it('an image that cannot run in a kept container says which container to remove by hand', async () => {
    const node = fakeNode(['enroot']);
    const noSshd: Exec = async (program, args, options) => (args.includes(PROBE_SCRIPT) ? { exitCode: 0, stdout: 'slurmhop-probe no-sshd\n', stderr: '' } : node.exec(program, args, options));
    const err = await rejection(prepareContainer(settings, depsOf(node, noSshd)));
    expect(err.hint).toMatch(/openssh-server.*; the container slurmhop-[0-9a-f]{12} is kept across jobs with whatever was changed in it; if it is what is broken, remove it by hand \(enroot remove slurmhop-[0-9a-f]{12}\)/);
  });

  it('a creation that fails and whose removal fails too leaves its mark: the next job removes the container', async () => {
    const node = fakeNode(['enroot']);
    const failing: Exec = async (program, args, options) => {
      if (args[0] === 'create') return node.listed.add(args[2]!), { exitCode: 1, stdout: '', stderr: 'unsquashfs: killed' };
      if (args[0] === 'remove') return (node.calls.push(`remove refused ${args[2]}`), { exitCode: 1, stdout: '', stderr: '[ERROR] busy' });
      return node.exec(program, args, options);
    };
    await expect(prepareContainer(settings, depsOf(node, failing))).rejects.toThrow('enroot create');
    expect(fs.existsSync(markOf(node, '.creating'))).toBe(true);
    await prepareContainer(settings, depsOf(node, node.exec, async () => new Set()));
    expect(removals(node.calls)).toEqual([expect.stringMatching(/remove ␣ --force ␣ slurmhop-<image hash>$/)]);
  });

  it('enroot gets a runtime directory of the job\'s own (0700, on the node), removed when the job ends; no enroot call decides it', async () => {
    const node = fakeNode(['enroot']);
    const { run } = await prepareContainer(settings, { ...depsOf(node, node.exec), tmpDir: tmp() });
    const dir = node.env.ENROOT_RUNTIME_PATH!;
    expect(dir).toMatch(/slurmhop-enroot-42-/);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(node.calls.filter((c) => c.includes(' ␣ version'))).toEqual([]);
    expect(run.leftovers?.('x')).toContainEqual({ remove: dir });
    await run.release?.();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('what ended jobs of the user left in the node\'s temporary directory is removed; a running job\'s is not', async () => {
    const node = fakeNode(['enroot']);
    const tmpDir = tmp();
    for (const name of ['slurmhop-enroot-7-abcdef', 'slurmhop-enroot-7-import-ghijkl', 'slurmhop-enroot-8-mnopqr', 'slurmhop-enroot-x-stuvwx', 'other-7-abc']) fs.mkdirSync(path.join(tmpDir, name));
    const asked: string[][] = [];
    const jobsAlive = async (ids: string[]) => (asked.push(ids), new Set(ids.filter((id) => id === '8')));
    await prepareContainer(settings, { ...depsOf(node, node.exec, jobsAlive), tmpDir });
    expect(asked).toEqual([['7', '8']]);
    expect(fs.readdirSync(tmpDir).sort()).toEqual(['other-7-abc', 'slurmhop-enroot-42-' + path.basename(node.env.ENROOT_RUNTIME_PATH!).slice('slurmhop-enroot-42-'.length), 'slurmhop-enroot-8-mnopqr', 'slurmhop-enroot-x-stuvwx'].sort());
  });

  it('an ENROOT_RUNTIME_PATH that the job\'s environment sets is used as it is when enroot can use it, and named when it cannot', async () => {
    const node = fakeNode(['enroot']);
    node.env.ENROOT_RUNTIME_PATH = '/site/enroot';
    await prepareContainer(settings, { ...depsOf(node, node.exec), tmpDir: tmp() });
    expect(node.env.ENROOT_RUNTIME_PATH).toBe('/site/enroot');
    const denied: Exec = async (program, args, options) =>
      args[0] === 'version' ? { exitCode: 1, stdout: '', stderr: "mkdir: cannot create directory '/site/enroot': Permission denied" } : node.exec(program, args, options);
    const err = await rejection(prepareContainer(settings, { ...depsOf(node, denied), tmpDir: tmp() }));
    expect(err.message).toBe("enroot cannot use ENROOT_RUNTIME_PATH=/site/enroot, which the job's environment sets: mkdir: cannot create directory '/site/enroot': Permission denied");
    expect(err.hint).toContain('unset ENROOT_RUNTIME_PATH');
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
