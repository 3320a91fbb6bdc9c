import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { getProfile, loadConfig, parseConfig } from '../../src/config/index.js';
import { SlurmhopError } from '../../src/errors.js';

const FILE = '/home/u/.config/slurmhop/config.ini';
const tmp = tempDirs('slurmhop-config-');

function configErrorOf(text: string): SlurmhopError {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(SlurmhopError);
    expect((err as SlurmhopError).kind).toBe('config');
    return err as SlurmhopError;
  }
  throw new Error('expected a config error');
}

describe('config.ini', () => {
  it('a profile with only a partition gets working defaults', () => {
    const profiles = parseConfig('[profile.cpu]\npartition = interactive\n', FILE);
    const cpu = profiles.get('cpu')!;
    expect(cpu).toMatchObject({ name: 'cpu', partition: 'interactive', pendingTimeout: 300, startTimeout: 120, idleTimeout: 1800, sbatchArgs: [] });
    expect(cpu.time).toBeUndefined();
  });

  it('a container profile waits longer for its first start (an image import), unless it says otherwise', () => {
    const profiles = parseConfig('[profile.ctr]\ncontainer = docker://ubuntu:24.04\ncontainer_mounts = /data, /scratch:/s:ro\n\n[profile.quick]\ncontainer = docker://ubuntu:24.04\nstart_timeout = 5m\n', FILE);
    expect(profiles.get('ctr')).toMatchObject({ container: 'docker://ubuntu:24.04', containerRuntime: 'auto', containerMounts: ['/data', '/scratch:/s:ro'], containerSlurm: false, startTimeout: 1800 });
    expect(profiles.get('quick')!.startTimeout).toBe(300);
  });

  it('reads every key, merges [defaults] and lets a profile override it', () => {
    const text = [
      '# comment',
      '[defaults]',
      'account = proj1',
      'pending_timeout = 10m',
      '',
      '[profile.gpu]',
      'partition = gpu',
      'time = 1-02:00:00',
      'cpus = 8',
      'mem = 32G',
      'gres = gpu:a100:1',
      'constraint = "a100&ib"',
      'qos = short',
      'nodes = 2',
      'env_setup = module load cuda; source ~/venv/bin/activate',
      `sbatch_args = --exclusive --comment="two words" -C x`,
      'pending_timeout = 45',
      'start_timeout = 2m',
      'idle_timeout = 0',
      'sshd = /opt/openssh/sbin/sshd',
    ].join('\n');
    const gpu = parseConfig(text, FILE).get('gpu')!;
    expect(gpu).toMatchObject({
      account: 'proj1',
      partition: 'gpu',
      time: '1-02:00:00',
      cpus: 8,
      mem: '32G',
      gres: 'gpu:a100:1',
      constraint: 'a100&ib',
      qos: 'short',
      nodes: 2,
      envSetup: 'module load cuda; source ~/venv/bin/activate',
      sbatchArgs: ['--exclusive', '--comment=two words', '-C', 'x'],
      pendingTimeout: 45,
      startTimeout: 120,
      idleTimeout: 0,
      sshd: '/opt/openssh/sbin/sshd',
    });
  });

  it.each([
    ['[profile.cpu]\npartition interactive\n', 2, 'cannot read this line'],
    ['partition = x\n', 1, 'outside any section'],
    ['[profile.cpu]\nparition = x\n', 2, 'unknown key "parition"'],
    ['[profile.cpu]\ncpus = many\n', 2, 'cpus must be a whole number'],
    ['[profile.cpu]\n\ntime = 3 hours\n', 3, 'not a Slurm time limit'],
    ['[profile.cpu]\nmem = lots\n', 2, 'not a memory size'],
    ['[profile.cpu]\npending_timeout = soon\n', 2, 'pending_timeout must be seconds'],
    ['[profile.cpu]\ncontainer = docker://ubuntu 22.04\n', 2, 'contains a space'],
    ['[profile.cpu]\ncontainer = --privileged\n', 2, 'starts with "-"'],
    ['[profile.cpu]\ncontainer = ./img.sqsh\n', 2, 'is a relative path'],
    ['[profile.cpu]\ncontainer = images/img.sif\n', 2, 'is a relative path'],
    ['[profile.cpu]\ncontainer_runtime = docker\n', 2, 'container_runtime "docker" is not one of auto, enroot, apptainer, podman, none'],
    ['[profile.cpu]\ncontainer_mounts = /data, scratch\n', 2, 'container_mounts: "scratch" is not SRC[:DST[:ro]]'],
    ['[profile.cpu]\ncontainer_mounts = /data, /shared/my data:/data\n', 2, 'container_mounts: "/shared/my data:/data" contains whitespace: slurmhop passes no such path to a container runtime (enroot\'s --mount cannot carry one)'],
    ['[profile.cpu]\ncontainer_slurm = sometimes\n', 2, 'container_slurm must be true or false'],
    ['[profile.cpu]\ncontainer_runtime = podman\n\ncontainer = ~/img.sqsh\n', 4, 'container_runtime = podman cannot run a .sqsh image'],
    ['[profile.cpu]\ncontainer = /img.sif\ncontainer_runtime = enroot\n', 2, 'container_runtime = enroot cannot run a .sif image'],
    ['[profile.cpu]\ntransport = node-sshd\ncontainer = docker://ubuntu\n', 3, 'container needs a session sshd of its own'],
    ['[profile.cpu]\nsbatch_args = --exclusive --job-name=x\n', 2, 'sbatch_args: "--job-name=x" cannot be used: slurmhop sets it itself'],
    ['[profile.cpu]\nsbatch_args = -o out.txt\n', 2, 'sbatch_args: "-o" (sbatch reads it as --output) cannot be used: slurmhop sets it itself'],
    // Every spelling sbatch accepts: attached values, unique prefixes, bundled flags.
    ['[profile.cpu]\nsbatch_args = -Jx\n', 2, 'sbatch_args: "-Jx" (sbatch reads it as -J (--job-name)) cannot be used: slurmhop sets it itself'],
    ['[profile.cpu]\nsbatch_args = --job-nam=x\n', 2, 'sbatch_args: "--job-nam=x" (sbatch reads it as --job-name) cannot be used: slurmhop sets it itself'],
    ['[profile.cpu]\nsbatch_args = -o/tmp/x\n', 2, 'sbatch_args: "-o/tmp/x" (sbatch reads it as -o (--output)) cannot be used: slurmhop sets it itself'],
    ['[profile.cpu]\nsbatch_args = --out=x\n', 2, 'sbatch_args: "--out=x" (sbatch reads it as --output) cannot be used: slurmhop sets it itself'],
    ['[profile.cpu]\nsbatch_args = --wait\n', 2, 'sbatch_args: "--wait" cannot be used: it would hold every connect until the job ends'],
    ['[profile.cpu]\nsbatch_args = -W\n', 2, 'sbatch_args: "-W" (sbatch reads it as --wait) cannot be used: it would hold every connect until the job ends'],
    ['[profile.cpu]\nsbatch_args = --exclusive -vW\n', 2, 'sbatch_args: "-vW" (sbatch reads it as -W (--wait)) cannot be used: it would hold every connect until the job ends'],
    ['[profile.cpu]\nsbatch_args = --clusters=other\n', 2, 'sbatch_args: "--clusters=other" cannot be used: slurmhop finds and ends its jobs on the cluster it runs on'],
    ['[profile.cpu]\nsbatch_args = -M other\n', 2, 'sbatch_args: "-M" (sbatch reads it as --clusters) cannot be used: slurmhop finds and ends its jobs on the cluster it runs on'],
    ['[profile.cpu]\nsbatch_args = --wa\n', 2, 'sbatch_args: "--wa" (sbatch reads it as --wait) cannot be used: it would hold every connect until the job ends'],
    ['[profile.cpu]\nsbatch_args = --w=x\n', 2, 'sbatch_args: "--w=x" (sbatch reads it as --wrap or --wait) cannot be used: it would hold every connect until the job ends'],
    ['[profile.cpu]\nsbatch_args = --test-only\n', 2, 'sbatch_args: "--test-only" cannot be used: it submits no job'],
    ['[profile.cpu]\npending_timeout = 0\n', 2, 'pending_timeout must be at least 1s'],
    ['[profile.42]\n', 1, 'profile name "42"'],
    ['[profile.cpu]\nwalltime_warnings = 10m, soon\n', 2, 'walltime_warnings: "soon" is not a duration'],
    ['[profile.cpu]\nidle_gpu = maybe\n', 2, 'idle_gpu must be true or false'],
    ['[profile.cpu]\ntransport = ssh\n', 2, 'transport "ssh" is not tcp, srun or node-sshd'],
    ['[profile.cpu]\nsbatch_args = --x "open\n', 2, 'unbalanced'],
    ['[profile.cpu]\nsbatch_args = exclusive\n', 2, 'not an sbatch option'],
    ['[profile.cpu]\nsshd = sshd\n', 2, 'absolute path'],
    ['[profile.cpu]\npartition = a\npartition = b\n', 3, 'set twice'],
    ['[profile.cpu]\n[profile.cpu]\n', 2, 'appears twice'],
    ['[profiles.cpu]\n', 1, 'unknown section [profiles.cpu]'],
    ['[profile.CPU!]\n', 1, 'profile name "CPU!"'],
    ['[defaults]\ncpu = 4\n', 2, 'unknown key "cpu"'],
    ['[profile.cpu]\nconstraint = "a&b\n', 2, 'no closing double quote'],
  ])('%j is rejected at line %i', (text, line, message) => {
    const err = configErrorOf(text);
    expect(err.message).toContain(`${FILE}:${line}:`);
    expect(err.message).toContain(message);
  });

  it('walltime warnings and GPU activity: defaults, lists, none', () => {
    const profiles = parseConfig('[profile.a]\n[profile.b]\nwalltime_warnings = 2m 30m, 45s\nidle_gpu = yes\n[profile.c]\nwalltime_warnings = none\n', FILE);
    expect(profiles.get('a')).toMatchObject({ walltimeWarnings: [600, 120], idleGpu: false });
    expect(profiles.get('b')).toMatchObject({ walltimeWarnings: [1800, 120, 45], idleGpu: true });
    expect(profiles.get('c')!.walltimeWarnings).toEqual([]);
  });

  it('unknown key errors list the known keys', () => {
    expect(configErrorOf('[profile.cpu]\nparition = x\n').hint).toContain('partition');
  });

  it('a missing file gives the built-in cpu and gpu profiles', () => {
    const dir = tmp();
    const config = loadConfig(path.join(dir, 'config.ini'));
    expect(config.exists).toBe(false);
    expect([...config.profiles.keys()]).toEqual(['cpu', 'gpu']);
    expect(config.profiles.get('gpu')!.gres).toBe('gpu:1');
  });

  it('an unknown profile names the known ones', () => {
    const dir = tmp();
    const file = path.join(dir, 'config.ini');
    fs.writeFileSync(file, '[profile.cpu]\n[profile.big]\n');
    const err = (() => {
      try {
        getProfile(loadConfig(file), 'gpu');
      } catch (e) {
        return e as SlurmhopError;
      }
      throw new Error('expected an error');
    })();
    expect(err.kind).toBe('config');
    expect(err.message).toContain('unknown profile "gpu"');
    expect(err.message).toContain('cpu, big');
    expect(err.message).toContain(file);
  });
});

describe('sbatch_args that sbatch reads as options slurmhop does not set', () => {
  it('are kept: values after short options, other long options, flags', () => {
    const words = ['-t', '10', '-w', 'c1', '--wckey=x', '--wait-all-nodes=1', '--exclusive', '-Q', '-p', 'debug', '-n2', '--open-mode=append'];
    const [profile] = [...parseConfig(`[profile.cpu]\nsbatch_args = ${words.join(' ')}\n`, FILE).values()];
    expect(profile!.sbatchArgs).toEqual(words);
  });
});
