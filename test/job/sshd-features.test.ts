// What the real sshd of this machine knows of the per-source controls, asked
// as the job asks it (sshd -t) and as the container probe asks it, against
// the version it reports: PerSourceMaxStartups since OpenSSH 8.5,
// PerSourcePenalties since 9.8.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProbe, PROBE_SCRIPT } from '../../src/job/container/probe.js';
import { sshdFeatures } from '../../src/job/sshd.js';
import { tempDirs } from '../helpers/tmp.js';

const SSHD = '/usr/sbin/sshd';
const tmp = tempDirs('slurmhop-sshd-features-');

describe.skipIf(!fs.existsSync(SSHD))('the per-source controls this sshd knows', () => {
  it('agree with its version, asked on the node and by the container probe', async () => {
    const key = path.join(tmp(), 'key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const banner = (await execa(SSHD, ['-V'], { reject: false })).stderr;
    const [, major, minor] = /OpenSSH_(\d+)\.(\d+)/.exec(banner)!.map(Number) as [number, number, number];
    const at = (m: number, n: number) => major > m || (major === m && minor >= n);
    const expected = { perSourceMaxStartups: at(8, 5), penalties: at(9, 8) };
    expect(await sshdFeatures(SSHD, key)).toEqual(expected);
    const r = await execa('/bin/sh', ['-c', PROBE_SCRIPT, 'probe', SSHD, key]);
    expect(parseProbe({ stdout: r.stdout, exitCode: r.exitCode ?? 1, stderr: r.stderr }, { image: 'img', describe: 'a container' }).features).toEqual(expected);
  });
});
