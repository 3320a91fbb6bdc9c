import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHostKey, fingerprint } from '../../src/doctor/index.js';
import { hostKeyFile } from '../../src/paths.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-hostkey-');

async function withKey() {
  const deps = fakeHome(tmp());
  const key = hostKeyFile(deps.stateDir);
  fs.mkdirSync(path.dirname(key), { recursive: true, mode: 0o700 });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', key]);
  return { deps, key, pub: `${key}.pub` };
}

describe('doctor: the job host key (real ssh-keygen)', () => {
  it('not created yet: a warning with how to create and pin it', async () => {
    const r = await checkHostKey(fakeHome(tmp()));
    expect(r.status).toBe('warn');
    expect(r.fix).toContain('"remote hostkey"');
  });

  it('0600 with a matching .pub: ok, with the fingerprint ssh-keygen -l shows', async () => {
    const { deps, key, pub } = await withKey();
    const listed = String((await execa('ssh-keygen', ['-l', '-f', pub])).stdout).split(' ')[1];
    const blob = fs.readFileSync(pub, 'utf8').split(' ')[1]!;
    expect(fingerprint(blob)).toBe(listed);
    expect(await checkHostKey(deps)).toEqual({ name: 'host key', status: 'ok', summary: `${key} (0600): ssh-ed25519 ${listed}` });
  });

  it('readable by others: fails with chmod 600, and doctor does not change it', async () => {
    const { deps, key } = await withKey();
    fs.chmodSync(key, 0o644);
    const r = await checkHostKey(deps);
    expect(r).toMatchObject({ status: 'fail', summary: `${key} is 0644: your group and others can read it (sshd refuses such a key)` });
    expect(r.fix).toMatch(new RegExp(`^chmod 600 ${key} `));
    expect(fs.statSync(key).mode & 0o777).toBe(0o644);
  });

  it('.pub missing, or from another key: fails with the ssh-keygen -y fix and re-pinning', async () => {
    const { deps, key, pub } = await withKey();
    fs.rmSync(pub);
    expect(await checkHostKey(deps)).toMatchObject({ status: 'fail', summary: `${pub} is missing`, fix: `ssh-keygen -y -f ${key} > ${pub}, then pin it again on the laptop ("slurmhop setup" does it)` });
    const other = await withKey();
    fs.copyFileSync(other.pub, pub);
    const r = await checkHostKey(deps);
    expect(r).toMatchObject({ status: 'fail', summary: `${pub} does not match ${key}: sessions present a key the laptop did not pin` });
  });

  it('ssh-keygen cannot compare: a warning, not a failure', async () => {
    const { deps } = await withKey();
    const r = await checkHostKey({ ...deps, publicKeyOf: async () => { throw new Error('ssh-keygen: not found'); } });
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('could not compare it');
  });
});
