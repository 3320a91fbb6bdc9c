import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { renderJobScript, renderSshdConfig, sbatchArgs } from '../../src/templates/index.js';
import { expectGolden } from '../helpers/golden.js';

const golden = (name: string) => path.join(__dirname, 'golden', name);
const profile = (text: string) => [...parseConfig(text, 'test.ini').values()][0]!;

describe('job script', () => {
  it('plain profile', () => {
    expectGolden(golden('job-plain.sbatch'), renderJobScript({ profile: profile('[profile.cpu]\n'), user: 'ada', remote: ['/home/ada/.local/bin/remote'] }));
  });

  it('env_setup verbatim, and a binary path with spaces and quotes is shell-quoted', () => {
    const p = profile('[profile.gpu]\nenv_setup = module load cuda/12; export X="a b"\n');
    const script = renderJobScript({ profile: p, user: 'ada', remote: ["/home/o'brien/my bin/remote"] });
    expect(script).toContain(`exec '/home/o'\\''brien/my bin/remote' job gpu`);
    expectGolden(golden('job-env-setup.sbatch'), script);
  });

  it('sbatch options come from the profile; its own sbatch_args come last', () => {
    const p = profile('[profile.gpu]\npartition = gpu\ntime = 2:00:00\ncpus = 4\nmem = 8G\ngres = gpu:1\nconstraint = "a&b"\naccount = p1\nnodes = 2\nsbatch_args = --exclusive --partition=other\n');
    expect(sbatchArgs(p, { jobName: 'slurmhop-gpu', output: '/s/logs/%j.out', workdir: '/home/ada' })).toEqual([
      '--job-name=slurmhop-gpu',
      '--output=/s/logs/%j.out',
      '--chdir=/home/ada',
      '--no-requeue',
      '--propagate=NONE',
      '--partition=gpu',
      '--time=2:00:00',
      '--nodes=2',
      '--cpus-per-task=4',
      '--mem=8G',
      '--gres=gpu:1',
      '--constraint=a&b',
      '--account=p1',
      '--exclusive',
      '--partition=other',
    ]);
  });
});

describe('sshd_config', () => {
  const input = {
    jobId: '42',
    profile: 'gpu',
    user: 'ada',
    port: 40123,
    listenAddress: '0.0.0.0',
    hostKey: '/home/ada/.local/state/slurmhop/hostkey/ssh_host_ed25519_key',
    env: { SLURM_JOB_ID: '42', CUDA_VISIBLE_DEVICES: '0', SPACED: 'a b  c', MODULEPATH: '/opt/m:/usr/share/m' },
    features: { perSourceMaxStartups: true, penalties: true },
    sessionSources: ['10.1.0.5', '192.168.7.2'],
  };
  const lines = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

  it('key-only, this user only, sftp, forwarding on, agent off, the job in the banner, environment passed with SetEnv', () => {
    const text = renderSshdConfig(input);
    for (const line of ['AllowUsers ada', 'AuthenticationMethods publickey', 'PasswordAuthentication no', 'UsePAM no', 'AllowTcpForwarding yes', 'AllowAgentForwarding no', 'Subsystem sftp internal-sftp', 'Port 40123', 'VersionAddendum slurmhop-42']) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text.match(/^SetEnv /gm)).toHaveLength(1);
    expect(text).toContain('SetEnv "SLURM_JOB_ID=42" "CUDA_VISIBLE_DEVICES=0" "SPACED=a b  c" "MODULEPATH=/opt/m:/usr/share/m"\n');
  });

  it('OpenSSH 9.8+: penalties on with the login node exempt, one address holds at most 128 of the 400 unauthenticated slots', () => {
    const text = renderSshdConfig(input);
    expect(lines(text)).toEqual(expect.arrayContaining(['MaxStartups 400', 'PerSourceMaxStartups 128', 'LoginGraceTime 30', 'PerSourcePenaltyExemptList 10.1.0.5,192.168.7.2']));
    expect(text).not.toMatch(/^PerSourcePenalties /m);
    expectGolden(golden('sshd_config'), text);
  });

  it('OpenSSH 9.8+ where the login node is unknown: penalties off (they would lock the owner out with every other user of it)', () => {
    const text = renderSshdConfig({ ...input, sessionSources: [] });
    expect(lines(text)).toEqual(expect.arrayContaining(['MaxStartups 400', 'PerSourceMaxStartups 128', 'PerSourcePenalties no']));
    expect(text).not.toMatch(/^PerSourcePenaltyExemptList/m);
    expectGolden(golden('sshd_config-no-login-address'), text);
  });

  it('OpenSSH 8.5 to 9.7 (bookworm: 9.2): the per-source limit, no penalty options; before 8.5 (bullseye: 8.4): neither', () => {
    const bookworm = renderSshdConfig({ ...input, features: { perSourceMaxStartups: true, penalties: false } });
    expect(lines(bookworm)).toEqual(expect.arrayContaining(['MaxStartups 400', 'PerSourceMaxStartups 128']));
    expect(bookworm).not.toMatch(/^PerSourcePenalt/m);
    expectGolden(golden('sshd_config-openssh-9.2'), bookworm);
    const bullseye = renderSshdConfig({ ...input, features: { perSourceMaxStartups: false, penalties: false } });
    expect(lines(bullseye)).toContain('MaxStartups 400');
    expect(bullseye).not.toMatch(/^PerSource/m);
    expect(bullseye).toContain('# PerSourceMaxStartups: not known to this sshd (OpenSSH before 8.5)\n');
  });

  it('a user name with @ (AllowUsers would read it as user@host)', () => {
    const text = renderSshdConfig({ ...input, user: 'ada@ad.example.org' });
    expect(text).not.toMatch(/^AllowUsers/m);
  });

  it('refuses values that old and new OpenSSH would read differently', () => {
    for (const bad of ['a#b', 'say "hi"', 'back\\slash', 'new\nline']) {
      expect(() => renderSshdConfig({ ...input, env: { X: bad } })).toThrow(/cannot be written to sshd_config safely/);
    }
    for (const bad of ['login1', '10.0.0.1\nPermitRootLogin yes', '::1', '10.0.0.1,10.0.0.2']) {
      expect(() => renderSshdConfig({ ...input, sessionSources: [bad] })).toThrow(/not an IPv4 address/);
    }
  });
});
