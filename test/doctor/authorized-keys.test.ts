import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAuthorizedKeys } from '../../src/doctor/index.js';
import { tempDirs } from '../helpers/tmp.js';
import { fakeHome } from './fake-deps.js';

const tmp = tempDirs('slurmhop-doctor-ak-');

function setup() {
  const deps = fakeHome(tmp());
  const ssh = path.join(deps.home, '.ssh');
  return { deps, ssh, file: path.join(ssh, 'authorized_keys') };
}

describe('doctor: ~/.ssh/authorized_keys (what the job sshd, with StrictModes, accepts)', () => {
  it('one key, 0600 in a 0700 ~/.ssh: ok', () => {
    const { deps, ssh, file } = setup();
    expect(checkAuthorizedKeys(deps)).toEqual({ name: 'authorized_keys', status: 'ok', summary: `${file}: 1 key (0600; ${ssh} 0700)` });
  });

  it('~/.ssh or the file missing: fails with how to add the laptop key', () => {
    const a = setup();
    fs.rmSync(a.file);
    expect(checkAuthorizedKeys(a.deps)).toMatchObject({ status: 'fail', summary: `${a.file} does not exist` });
    const b = setup();
    fs.rmSync(b.ssh, { recursive: true });
    const r = checkAuthorizedKeys(b.deps);
    expect(r).toMatchObject({ status: 'fail', summary: `${b.ssh} does not exist` });
    expect(r.fix).toMatch(/^mkdir -m 700 .*\.ssh, then add your laptop's public key/);
  });

  it('no keys in it (empty, or comments only): fails', () => {
    const { deps, file } = setup();
    fs.writeFileSync(file, '# nothing yet\n\n');
    expect(checkAuthorizedKeys(deps)).toMatchObject({ status: 'fail', summary: `${file} has no public keys` });
  });

  it('writable by the group, or a home others can write: fails (StrictModes) with the chmod', () => {
    const a = setup();
    fs.chmodSync(a.file, 0o664);
    expect(checkAuthorizedKeys(a.deps)).toMatchObject({ status: 'fail', summary: `${a.file} is 0664: your group can write it (sshd refuses your keys)`, fix: `chmod 600 ${a.file}` });
    const b = setup();
    fs.chmodSync(b.ssh, 0o777);
    expect(checkAuthorizedKeys(b.deps)).toMatchObject({ status: 'fail', fix: `chmod 700 ${b.ssh}` });
    const c = setup();
    fs.chmodSync(c.deps.home, 0o775);
    expect(checkAuthorizedKeys(c.deps)).toMatchObject({ status: 'fail', summary: `your home directory is 0775: your group can write it (sshd refuses your keys)`, fix: `chmod go-w ${c.deps.home}` });
  });

  it('~/.ssh readable by others, a line that is not a key: warnings', () => {
    const a = setup();
    fs.chmodSync(a.ssh, 0o755);
    expect(checkAuthorizedKeys(a.deps)).toMatchObject({ status: 'warn', fix: `chmod 700 ${a.ssh}` });
    const b = setup();
    fs.appendFileSync(b.file, 'from="10.0.0.0/8" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== work\nnot a key at all\n');
    expect(checkAuthorizedKeys(b.deps)).toMatchObject({ status: 'warn', summary: `1 line(s) of ${b.file} are not public keys sshd can use` });
  });
});
