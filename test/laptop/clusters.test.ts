// Which clusters the laptop command knows: the registry setup keeps (which ssh
// config holds each cluster's block) and the blocks themselves, as setup
// writes them (planSshConfig), on Linux and on Windows.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherAnswers } from '../../src/setup/answers.js';
import { configuredClusters, pickCluster, recordCluster } from '../../src/setup/clusters.js';
import { laptopConfigDir, type Laptop } from '../../src/setup/laptop-paths.js';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';
import type { SshBlockInput } from '../../src/templates/ssh-config-block.js';
import { linuxLaptop, onWindows } from '../setup/block-inputs.js';
import { setupFailure } from '../helpers/setup-failure.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-laptop-clusters-');

function laptopWith(...blocks: Array<{ file: string; input: SshBlockInput }>): Laptop {
  const home = tmp();
  const laptop: Laptop = { platform: 'linux', home, env: {} };
  for (const { file, input } of blocks) {
    const full = path.join(home, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const before = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : 'Host mybox\n  HostName box.example.org\n';
    fs.writeFileSync(full, planSshConfig(before, full, input, input.cluster, '\n').after);
  }
  return laptop;
}

const failure = setupFailure;

describe('configured clusters', () => {
  it('remote where setup installed it: the front the block runs is the one the laptop command runs too', () => {
    const laptop = laptopWith({ file: '.ssh/config', input: { ...linuxLaptop, remote: '/scratch/ana/slurmhop/bin/remote' } });
    expect(configuredClusters(laptop).map((c) => [c.name, c.remote, c.profiles.map((p) => p.profile)])).toEqual([['hpc', '/scratch/ana/slurmhop/bin/remote', ['cpu', 'gpu']]]);
    expect(configuredClusters(laptopWith({ file: '.ssh/config', input: linuxLaptop }))[0]!.remote).toBeUndefined();
  });

  it('without a registry (a setup from before it): the blocks in ~/.ssh/config', () => {
    const laptop = laptopWith({ file: '.ssh/config', input: linuxLaptop });
    expect(configuredClusters(laptop)).toEqual([
      {
        name: 'hpc',
        sshConfig: path.join(laptop.home, '.ssh/config'),
        login: 'hpc',
        loginTarget: { host: 'login.hpc.example.org', port: '22', user: 'ana' },
        prefix: 'slurm',
        profiles: [
          { profile: 'cpu', host: 'slurm-cpu' },
          { profile: 'gpu', host: 'slurm-gpu' },
        ],
        identityFile: '/home/ana/.ssh/slurmhop_hpc_ed25519',
      },
    ]);
  });

  it('a Windows block (full ssh.exe path, Windows quoting) reads the same', () => {
    const laptop = laptopWith({ file: '.ssh/config', input: { ...onWindows(linuxLaptop), sshConfigFile: undefined } });
    const [c] = configuredClusters(laptop);
    expect(c?.profiles.map((p) => p.host)).toEqual(['slurm-cpu', 'slurm-gpu']);
    expect(c?.prefix).toBe('slurm');
  });

  it('with a registry: each cluster from the file it names; the first record keeps the blocks that counted before it', () => {
    const laptop = laptopWith(
      { file: '.ssh/config', input: linuxLaptop },
      { file: '.ssh/config', input: { ...linuxLaptop, cluster: 'old', prefix: 'o' } },
      { file: 'work/ssh.conf', input: { ...linuxLaptop, cluster: 'mila', prefix: 'm', profiles: ['a100'] } },
      { file: 'work/other.conf', input: { ...linuxLaptop, cluster: 'stray', prefix: 's' } },
    );
    recordCluster(laptop, 'mila', path.join(laptop.home, 'work/ssh.conf'));
    expect(fs.statSync(path.join(laptopConfigDir(laptop), 'clusters.json')).mode & 0o777).toBe(0o600);
    expect(configuredClusters(laptop).map((c) => [c.name, c.profiles.map((p) => p.host)])).toEqual([
      ['hpc', ['slurm-cpu', 'slurm-gpu']],
      ['mila', ['m-a100']],
      ['old', ['o-cpu', 'o-gpu']],
    ]);
    recordCluster(laptop, 'old', undefined);
    expect(configuredClusters(laptop).map((c) => c.name)).toEqual(['hpc', 'mila']);
  });

  it('pick: the only one, the one named; several or none or a wrong name is a usage error that says what to do', () => {
    const one = laptopWith({ file: '.ssh/config', input: linuxLaptop });
    expect(pickCluster(one, undefined).name).toBe('hpc');
    expect(failure(() => pickCluster(one, 'nope'))).toMatchObject({ kind: 'usage', message: 'no cluster named "nope" is set up (set up: hpc)' });
    const two = laptopWith({ file: '.ssh/config', input: linuxLaptop }, { file: '.ssh/config', input: { ...linuxLaptop, cluster: 'mila', prefix: 'm' } });
    expect(failure(() => pickCluster(two, undefined))).toMatchObject({ kind: 'usage', message: 'several clusters are set up: hpc, mila', hint: 'name one with --cluster NAME' });
    expect(pickCluster(two, 'mila').prefix).toBe('m');
    expect(failure(() => pickCluster(laptopWith(), undefined))).toMatchObject({ kind: 'usage', hint: 'run "slurmhop setup" first' });
  });

  it('a registry that is not JSON is named, with what to do', () => {
    const laptop = laptopWith();
    fs.mkdirSync(laptopConfigDir(laptop), { recursive: true });
    fs.writeFileSync(path.join(laptopConfigDir(laptop), 'clusters.json'), '{ broken');
    expect(failure(() => configuredClusters(laptop))).toMatchObject({ kind: 'local-file', message: expect.stringContaining('clusters.json cannot be read as JSON') });
  });
});

describe('a second cluster', () => {
  it('with the host names of another cluster\'s block is refused, naming it and --prefix; nothing is planned', () => {
    const file = '/h/.ssh/config';
    const first = planSshConfig('', file, linuxLaptop, 'hpc', '\n').after;
    expect(failure(() => planSshConfig(first, file, { ...linuxLaptop, cluster: 'mila' }, 'mila', '\n'))).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^\/h\/\.ssh\/config:\d+: "Host slurm-cpu" belongs to the slurmhop cluster "hpc"/),
      hint: 'give this cluster other host names with --prefix (e.g. --prefix slurm-mila); nothing was written',
    });
    expect(planSshConfig(first, file, { ...linuxLaptop, cluster: 'mila', prefix: 'slurm-mila' }, 'mila', '\n').after).toContain('Host slurm-mila-cpu');
  });

  it('refuses a prefix or profile host that is the login alias: ssh would run the ProxyCommand for the login itself', () => {
    expect(failure(() => planSshConfig('', '/h/.ssh/config', { ...linuxLaptop, cluster: 'mila', prefix: 'mila' }, 'mila', '\n'))).toMatchObject({
      kind: 'usage',
      message: '"Host mila" would be both the login alias of cluster "mila" and the current session\'s host (--prefix)',
      hint: 'choose another --prefix (e.g. --prefix slurm-mila) or --cluster name; nothing was written',
    });
    expect(failure(() => planSshConfig('', '/h/.ssh/config', { ...linuxLaptop, cluster: 'slurm-cpu' }, 'slurm-cpu', '\n'))).toMatchObject({
      kind: 'usage',
      message: '"Host slurm-cpu" would be both the login alias of cluster "slurm-cpu" and profile cpu\'s host',
    });
  });

  it('gets slurm-<cluster> as the default prefix when "slurm" is taken', async () => {
    const laptop = laptopWith({ file: '.ssh/config', input: linuxLaptop });
    const ask = { interactive: false, tty: false, text: async (_m: string, initial: string | undefined) => initial!, confirm: async () => true, choose: async () => { throw new Error('not asked'); }, secret: async () => '' };
    const args = { host: 'login.mila.example.org', user: 'ana', cluster: 'mila', acceptNewHostKey: false, vscode: true, check: true, dryRun: false, uninstall: false, yes: true, passwordStdin: false, help: false };
    expect((await gatherAnswers(args, laptop, ask)).prefix).toBe('slurm-mila');
    expect((await gatherAnswers(args, laptopWith(), ask)).prefix).toBe('slurm');
  });
});
