// The wizard's login attempts, with the connection swapped for one that
// answers as a login node would (the real one: test/e2e/setup-terminal.test.ts):
// which keys each attempt offers, when the key question comes, what it lists.
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import type { Asker } from '../../src/setup/ask.js';
import { LoginRefused, type ConnectOptions } from '../../src/setup/connect.js';
import type { SetupDeps } from '../../src/setup/deps.js';
import { logIn } from '../../src/setup/login.js';
import type { SetupEvent } from '../../src/setup/report.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-login-');
const target = { host: 'login.hpc.org', port: 22, user: 'ana', cluster: 'hpc' };

function laptopWithKey(name: string) {
  const home = tmp();
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  fs.writeFileSync(path.join(home, '.ssh', name), ssh2.utils.generateKeyPairSync('ed25519', { comment: 'ana@laptop' }).private, { mode: 0o600 });
  return home;
}

/** A login node that accepts `accepts` (a key file, or "password") and names `allowed` methods. */
function world(home: string, answers: { accepts: string; allowed: string[]; choose: (labels: string[]) => number }) {
  const attempts: Array<ConnectOptions['auth']> = [];
  const menus: string[][] = [];
  const events: SetupEvent[] = [];
  const ask: Asker = {
    interactive: true,
    tty: true,
    text: async (_m, initial) => initial ?? '',
    confirm: async (_m, initial) => initial,
    choose: async (_m, choices) => {
      menus.push(choices.map((c) => c.label));
      return choices[answers.choose(choices.map((c) => c.label))]!.value;
    },
    secret: async () => 'pw',
  };
  const deps = {
    laptop: { platform: 'linux', home, env: {} },
    now: () => new Date(),
    ask,
    report: (e: SetupEvent) => events.push(e),
    connect: async (o: ConnectOptions) => {
      attempts.push(o.auth);
      const keyOk = o.auth.keyFiles.includes(answers.accepts);
      const passwordOk = answers.accepts === 'password' && !o.auth.secondFactorOnly;
      if (keyOk || passwordOk) return { session: {} as never, method: keyOk ? `the key ${answers.accepts}` : 'a password' };
      throw new LoginRefused('cannot log in', 'hint', { allowed: answers.allowed, refused: [], skipped: [] }, 'AAAA', undefined);
    },
  } as unknown as SetupDeps;
  return { deps, attempts, menus, events };
}

describe('logging in', () => {
  it('with keys on the laptop, none that ssh tries by itself: the key question comes before any password, and the chosen key becomes the identity', async () => {
    const home = laptopWithKey('id_bob');
    const idBob = path.join(home, '.ssh', 'id_bob');
    const w = world(home, { accepts: idBob, allowed: ['publickey', 'password'], choose: () => 0 });
    const r = await logIn(w.deps, target, { acceptNewHostKey: true, knownHosts: [] });
    expect(r.identity).toBe(idBob);
    expect(w.attempts[0]).toMatchObject({ keyFiles: [path.join(home, '.ssh/slurmhop_hpc_ed25519'), path.join(home, '.ssh/id_ed25519'), path.join(home, '.ssh/id_ecdsa'), path.join(home, '.ssh/id_rsa')], secondFactorOnly: true });
    expect(w.attempts[1]).toMatchObject({ keyFiles: [idBob], agentKeys: false, secondFactorOnly: true });
    expect(w.menus[0]!.slice(0, 3)).toEqual(['the key ~/.ssh/id_bob (ssh-ed25519, "ana@laptop")', 'your password (and what else the login node asks, such as a one-time code)', 'a private key file elsewhere (type its path)']);
    expect(w.events).toContainEqual({ type: 'info', message: 'none of the keys ssh uses by itself is on this computer (~/.ssh/slurmhop_hpc_ed25519, ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa)' });
  });

  it('"your password": no key is offered again, the password is', async () => {
    const home = laptopWithKey('id_bob');
    const w = world(home, { accepts: 'password', allowed: ['publickey', 'password'], choose: (labels) => labels.findIndex((l) => l.startsWith('your password')) });
    const r = await logIn(w.deps, target, { acceptNewHostKey: true, knownHosts: [] });
    expect(r.identity).toBeUndefined();
    expect(w.attempts[1]).toMatchObject({ keyFiles: [], agentKeys: false, secondFactorOnly: false });
  });

  it('a login node that takes no key: its own questions at once, without the key question', async () => {
    const home = laptopWithKey('id_bob');
    const w = world(home, { accepts: 'password', allowed: ['password', 'keyboard-interactive'], choose: () => 0 });
    await logIn(w.deps, target, { acceptNewHostKey: true, knownHosts: [] });
    expect(w.menus).toEqual([]);
    expect(w.attempts.map((a) => a.secondFactorOnly)).toEqual([true, false]);
  });

  it('no key on the laptop at all: the password is asked on the first attempt, as OpenSSH does', async () => {
    const w = world(tmp(), { accepts: 'password', allowed: ['publickey', 'password'], choose: () => 0 });
    await logIn(w.deps, target, { acceptNewHostKey: true, knownHosts: [] });
    expect(w.attempts).toHaveLength(1);
    expect(w.attempts[0]!.secondFactorOnly).toBe(false);
  });
});
