// Logging in to the login node for the wizard. First what should work without
// a question: the key given or configured before, slurmhop's key, the keys the
// user's own ssh config names, OpenSSH's usual ones, the agent, then what the
// server asks (password, one-time code). When all of that is refused, say what
// was tried and, with a terminal, ask: another key in ~/.ssh, one of the
// agent's, a file, a new key to register, or another user name.
import fs from 'node:fs';
import path from 'node:path';
import { agentKeys } from './agent-keys.js';
import type { Choice } from './ask.js';
import { LoginRefused, methodsFor, type Connected } from './connect.js';
import type { SetupDeps } from './deps.js';
import { setupError } from './errors.js';
import type { KnownHostEntry } from './known-hosts.js';
import { agentSocket, defaultIdentities, defaultKey, sshDir, type Laptop } from './laptop-paths.js';
import { laptopKeys, userHostEntry } from './laptop-keys.js';
import { newKeyPair } from './laptop-key.js';
import { applyChange } from './local-files.js';

export interface LoginTarget {
  host: string;
  port: number;
  user: string;
  cluster: string;
}

export interface LoggedIn {
  connected: Connected;
  /** The user name that logged in (asked again when the first was refused). */
  user: string;
  /** A key the user chose here: the sessions use it too (as with --identity). */
  identity?: string | undefined;
}

type Pick = { key: string } | { agentKey: { type: string; blob: string; comment: string } } | { password: true } | { newKey: true } | { user: true } | { stop: true };

export async function logIn(deps: SetupDeps, target: LoginTarget, options: { identity?: string | undefined; password?: string | undefined; acceptNewHostKey: boolean; knownHosts: KnownHostEntry[] }): Promise<LoggedIn> {
  const { laptop, report } = deps;
  const agent = agentSocket(laptop);
  const show = (f: string) => tilde(laptop, f);
  let user = target.user;
  let identity = options.identity;
  let chosen = false;
  let accepted: { type: string; key: string } | undefined;
  // With keys on this computer, a terminal asks which before it asks a password.
  let keysFirst = deps.ask.interactive && options.password === undefined && (laptopKeys(laptop).length > 0 || (await agentKeys(agent)).length > 0);
  // After "your password" is chosen: no key is offered again (each refused one counts against MaxAuthTries).
  let noKeys = false;
  for (;;) {
    const keyFiles = noKeys ? [] : chosen && identity ? [identity] : firstKeys(laptop, target, identity);
    try {
      const connected = await deps.connect({
        host: target.host,
        port: target.port,
        auth: { user, keyFiles, agent, agentKeys: !chosen && !noKeys, password: options.password, show, secondFactorOnly: chosen || keysFirst },
        knownHosts: options.knownHosts,
        acceptNewHostKey: options.acceptNewHostKey,
        acceptedHostKey: accepted,
        ask: deps.ask,
        info: (message) => report({ type: 'info', message }),
      });
      return { connected, user, identity: chosen ? identity : undefined };
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      accepted = err.newHostKey ?? accepted;
      const allowed = err.log.allowed ?? [];
      // A login node that takes no key: straight to its own questions (password, code).
      if (keysFirst && !chosen && err.log.allowed && !allowed.includes('publickey')) {
        keysFirst = false;
        continue;
      }
      const asks = allowed.includes('password') || allowed.includes('keyboard-interactive');
      const verdict = err.log.refused.length ? await whoseFault(target, user, err) : '';
      const found = laptopKeys(laptop).filter((k) => !err.log.refused.includes(`the key ${show(k.file)}`));
      if (!deps.ask.interactive) {
        const keys = found.length ? ` (other private keys in ${show(sshDir(laptop))}: ${found.map((k) => path.basename(k.file)).join(', ')})` : '';
        throw setupError('connect', `${err.message}${verdict && `. ${verdict}`}`, `check --user; give the key that logs you in with --identity FILE${keys}, or run "slurmhop setup" in a terminal to choose it`);
      }
      if (err.log.refused.length) {
        report({ type: 'warn', message: err.message });
        report({ type: 'info', message: verdict });
      } else report({ type: 'info', message: `none of the keys ssh uses by itself is on this computer (${keyFiles.map(show).join(', ')})` });
      const pick = await deps.ask.choose<Pick>(`How do you log in to ${target.host} as ${user}?`, [
        ...found.map((k): Choice<Pick> => ({ label: `the key ${show(k.file)} (${[k.type ?? 'type unknown', k.encrypted ? 'has a passphrase' : '', k.comment && `"${k.comment}"`].filter(Boolean).join(', ')})`, value: { key: k.file } })),
        ...(await agentKeys(agent)).map((k): Choice<Pick> => ({ label: `the agent's key ${k.type} ${k.fingerprint}${k.comment ? ` "${k.comment}"` : ''}`, value: { agentKey: k } })),
        ...(asks && deps.ask.tty ? [{ label: 'your password (and what else the login node asks, such as a one-time code)', value: { password: true } } as Choice<Pick>] : []),
        { label: 'a private key file elsewhere (type its path)', value: { key: '' } },
        { label: `a new key: slurmhop makes ${show(defaultKey(laptop, target.cluster))}, you register its public key with your cluster`, value: { newKey: true } },
        { label: `another user name (this one: ${user})`, value: { user: true } },
        { label: 'stop here (nothing was written)', value: { stop: true } },
      ], '--identity FILE');
      if ('stop' in pick) throw setupError('declined', 'stopped: nothing was written');
      if ('password' in pick) {
        chosen = false;
        keysFirst = false;
        noKeys = true;
        continue;
      }
      noKeys = false;
      if ('user' in pick) {
        user = await deps.ask.text('Your user name on the cluster', user, '--user', (v) => (/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\$?$/.test(v) ? true : `"${v}" is not a user name`));
        chosen = false;
        continue;
      }
      chosen = true;
      if ('key' in pick) identity = pick.key || (await askKeyFile(deps));
      else if ('agentKey' in pick) identity = writeAgentPublicKey(deps, target.cluster, pick.agentKey);
      else identity = await makeKeyToRegister(deps, target, user);
    }
  }
}

/** The keys tried without a question, in OpenSSH's spirit: configured, slurmhop's, the user's config's, the usual names. */
function firstKeys(l: Laptop, t: LoginTarget, identity: string | undefined): string[] {
  const files = identity ? [identity] : [defaultKey(l, t.cluster), ...userHostEntry(l, t.host).identityFiles, ...defaultIdentities(l)];
  return [...new Set(files)];
}

/** Whether the server's answers tell a wrong user from a wrong key: it names its methods for any name. */
async function whoseFault(t: LoginTarget, user: string, err: LoginRefused): Promise<string> {
  const mine = err.log.allowed?.join(',');
  const nobody = await methodsFor(t.host, t.port, `slurmhop-no-such-user-${process.pid}`, err.hostKey);
  if (mine === undefined || nobody === undefined) return `check that "${user}" is your user name on the cluster, and that your key is registered there`;
  if (nobody.join(',') !== mine) return `the login node knows the user "${user}" (it answers an unknown name differently): the key is what it does not accept`;
  return `the login node answers the same for every name (OpenSSH keeps user names secret), so either "${user}" is not your user name there or none of these keys is registered for it`;
}

async function askKeyFile(deps: SetupDeps): Promise<string> {
  const typed = await deps.ask.text('Path of the private key', path.join(sshDir(deps.laptop), ''), '--identity', (v) => (fs.existsSync(expand(deps.laptop, v)) ? true : `${v} does not exist`));
  return path.resolve(expand(deps.laptop, typed));
}

/** An agent's key is named in the ssh config by its public half (IdentityFile *.pub): written now. */
function writeAgentPublicKey(deps: SetupDeps, cluster: string, key: { type: string; blob: string; comment: string }): string {
  const file = path.join(sshDir(deps.laptop), `slurmhop_${cluster}_agent.pub`);
  applyChange({ file, before: readOr(file), after: `${key.type} ${key.blob}${key.comment ? ` ${key.comment}` : ''}\n`, mode: 0o644, backup: false }, deps.now());
  deps.report({ type: 'done', message: `wrote ${tilde(deps.laptop, file)} (the agent's key, by its public half: ssh asks the agent for it)` });
  return file;
}

async function makeKeyToRegister(deps: SetupDeps, t: LoginTarget, user: string): Promise<string> {
  const file = defaultKey(deps.laptop, t.cluster);
  if (!fs.existsSync(file)) {
    const pair = newKeyPair(file, t.cluster);
    applyChange({ file, before: undefined, after: pair.create!.private, mode: 0o600, backup: false }, deps.now());
    applyChange({ file: `${file}.pub`, before: undefined, after: pair.create!.public, mode: 0o644, backup: false }, deps.now());
    deps.report({ type: 'done', message: `made the key ${tilde(deps.laptop, file)} (and .pub)` });
  }
  const pub = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  deps.report({ type: 'info', message: `register this public key for ${user} on ${t.host} (your cluster's account page, or its administrators):\n\n${pub}\n` });
  await deps.ask.confirm('Registered? Log in with it now', true);
  return file;
}

const readOr = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
const expand = (l: Laptop, f: string) => (f.startsWith('~/') ? path.join(l.home, f.slice(2)) : f);

export function tilde(l: Laptop, file: string): string {
  return file.startsWith(`${l.home}${path.sep}`) ? `~${file.slice(l.home.length)}` : file;
}
