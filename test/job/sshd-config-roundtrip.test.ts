// The generated sshd_config as the real sshd reads it (sshd -T): every variable
// arrives whole, in one SetEnv line, and the options parse.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionEnvironment } from '../../src/job/environment.js';
import { sshdFeatures } from '../../src/job/sshd.js';
import { renderSshdConfig } from '../../src/templates/index.js';
import { tempDirs } from '../helpers/tmp.js';

const SSHD = '/usr/sbin/sshd';
const tmp = tempDirs('slurmhop-sshd-');

describe.skipIf(!fs.existsSync(SSHD))('sshd -T reads the generated sshd_config', () => {
  it('passes every safe variable whole and nothing of the unsafe ones', async () => {
    const dir = tmp();
    const key = path.join(dir, 'key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const { passed, skipped } = sessionEnvironment({
      SLURM_JOB_ID: '42',
      PATH: '/opt/cuda/bin:/usr/bin',
      SPACES: 'a  b c',
      QUOTE: "it's",
      HASH: 'x#y',
      DQ: 'say "hi"',
    });
    expect(skipped).toEqual(['DQ', 'HASH']);
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(config, renderSshdConfig({ jobId: '42', profile: 'cpu', user: 'ada', port: 40123, listenAddress: '0.0.0.0', hostKey: key, env: passed, features: await sshdFeatures(SSHD, key), sessionSources: ['10.77.0.1'] }));
    const r = await execa(SSHD, ['-T', '-f', config], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const setenv = r.stdout.split('\n').filter((l) => l.startsWith('setenv ')).map((l) => l.slice(7));
    expect(setenv.sort()).toEqual(['PATH=/opt/cuda/bin:/usr/bin', "QUOTE=it's", 'SLURM_JOB_ID=42', 'SPACES=a  b c']);
    expect(r.stdout).toContain('versionaddendum slurmhop-42');
    expect(r.stdout).toContain('allowagentforwarding no');
    expect(r.stdout).toContain('authenticationmethods publickey');
    expect(r.stdout).toContain('maxstartups 400:30:400');
    expect(r.stdout).toContain('logingracetime 30');
    // OpenSSH 8.5+ (bookworm has 9.2); penalties and their exemption are read by 9.8+ (test/e2e/sshd-flood.test.ts on trixie).
    expect(r.stdout).toContain('persourcemaxstartups 128');
  });
});
