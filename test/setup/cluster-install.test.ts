// Installing remote under its root on the login node (the wizard's very sh,
// run by this machine's /bin/sh in a home of the test's own): the directories
// are made only the user's, whatever the umask, and never through a link or
// into a directory another user made first.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installRemote, type RemoteFiles } from '../../src/setup/cluster-install.js';
import { SETUP_EXIT, SetupError } from '../../src/setup/errors.js';
import type { InstallPlace } from '../../src/setup/install-place.js';
import type { RemoteSession } from '../../src/setup/remote-session.js';
import { tempDirs } from '../helpers/tmp.js';
import { localSession } from './local-session.js';

const tmp = tempDirs('slurmhop-install-');

/** A login node whose profile sets `umask 002` (common where users share a primary group). */
function groupUmaskSession(home: string): RemoteSession {
  const base = localSession(home);
  return { ...base, sh: (script, args) => base.sh(`umask 002\n${script}`, args) };
}

function files(): RemoteFiles {
  const dir = tmp();
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return { file: path.join(dir, name), sha256: crypto.createHash('sha256').update(text).digest('hex') };
  };
  return { executable: file('remote-linux-x64', '#!/bin/sh\necho exe\n'), front: file('remote-front', '#!/bin/sh\necho front\n') };
}

const placeAt = (root: string): InstallPlace => ({ root, front: `${root}/bin/remote`, executable: `${root}/lib/slurmhop/remote` });
const mode = (p: string) => (fs.lstatSync(p).mode & 0o7777).toString(8);

async function refusal(p: Promise<unknown>): Promise<SetupError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SetupError) return err;
    throw err;
  }
  throw new Error('did not fail');
}

describe('installing remote under its root', () => {
  it('under umask 002, the root, bin/ and lib/slurmhop/ are made 0755: nobody else can write them', async () => {
    const home = tmp();
    const root = path.join(tmp(), 'work', 'slurmhop');
    expect(await installRemote(groupUmaskSession(home), placeAt(root), files(), () => {})).toBe('installed');
    expect([root, `${root}/bin`, `${root}/lib`, `${root}/lib/slurmhop`, `${root}/bin/remote`, `${root}/lib/slurmhop/remote`].map(mode)).toEqual(['755', '755', '755', '755', '755', '755']);
    expect(mode(path.dirname(root))).toBe('755');
  });

  it('a root planted as a link is not followed: refused (exit 6), nothing written where it points', async () => {
    const target = tmp();
    const root = path.join(tmp(), 'slurmhop');
    fs.symlinkSync(target, root);
    const e = await refusal(installRemote(localSession(tmp()), placeAt(root), files(), () => {}));
    expect([SETUP_EXIT[e.kind], e.message]).toEqual([6, `${root} on the cluster is not safe for remote: ${root} is a symbolic link (name the directory it points to instead)`]);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('a root another user made first in a sticky shared directory is refused, nothing written in it', async () => {
    const shared = tmp();
    fs.chmodSync(shared, 0o1777);
    const root = path.join(shared, 'slurmhop');
    fs.mkdirSync(root);
    fs.chownSync(root, 4242, 4242);
    const e = await refusal(installRemote(localSession(tmp()), placeAt(root), files(), () => {}));
    expect([SETUP_EXIT[e.kind], e.message]).toEqual([6, `${root} on the cluster is not safe for remote: ${root} belongs to another user (uid 4242)`]);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});
