// Connect to the login node with ssh2, checking its host key the way OpenSSH
// would against the user's known_hosts files: a known key passes, a changed or
// revoked one stops the wizard, an unknown one is shown (SHA256 fingerprint)
// and trusted only after a yes or --accept-new-host-key.
import ssh2 from 'ssh2';
import type { Asker } from './ask.js';
import { authHandler, type AuthLog, type AuthSources } from './auth-methods.js';
import { setupError, SetupError } from './errors.js';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsName, preferredHostKeyAlgorithms, type KnownHostEntry } from './known-hosts.js';
import { remoteSession, type RemoteSession } from './remote-session.js';

export interface ConnectOptions {
  host: string;
  port: number;
  auth: Omit<AuthSources, 'ask' | 'onMethod' | 'onError' | 'log'>;
  knownHosts: KnownHostEntry[];
  acceptNewHostKey: boolean;
  /** A key the user accepted on an earlier attempt of this run: not asked again. */
  acceptedHostKey?: { type: string; key: string } | undefined;
  ask: Asker;
  info: (message: string) => void;
  /** The whole handshake including prompts; long enough for a person to type an OTP. */
  timeoutMs?: number;
}

export interface Connected {
  session: RemoteSession;
  /** Set when the key was not known before and the user accepted it: to be pinned. */
  newHostKey?: { type: string; key: string } | undefined;
  method: string;
}

/** Every method failed: what was offered and refused, for the wizard to ask what else to try. */
export class LoginRefused extends SetupError {
  constructor(
    message: string,
    hint: string,
    readonly log: AuthLog,
    /** The login node's host key, as this attempt saw and trusted it. */
    readonly hostKey: string,
    /** Set when the user accepted it during this attempt: a retry does not ask again. */
    readonly newHostKey: { type: string; key: string } | undefined,
  ) {
    super('connect', message, hint);
  }
}

export async function connect(opts: ConnectOptions): Promise<Connected> {
  const name = knownHostsName(opts.host, opts.port);
  let hostKeyProblem: SetupError | undefined;
  let askError: Error | undefined;
  let newHostKey: Connected['newHostKey'];
  let method = '';
  let seen = '';
  const client = new ssh2.Client();
  const verify = async (blob: Buffer): Promise<boolean> => {
    const key = blob.toString('base64');
    seen = key;
    const type = keyTypeOf(key);
    const fp = fingerprint(key);
    const result = checkHostKey(opts.knownHosts, name, key);
    if (result.status === 'known') return true;
    if (opts.acceptedHostKey?.key === key) {
      newHostKey = opts.acceptedHostKey;
      return true;
    }
    if (result.status === 'revoked') {
      hostKeyProblem = setupError('host-key', `the login node ${name} offered a REVOKED host key (${type} ${fp}), listed at ${result.entry.file}:${result.entry.line}`, 'do not connect; ask your cluster\'s administrators');
      return false;
    }
    if (result.status === 'changed') {
      const where = result.entries.map((e) => `${e.file}:${e.line} (${e.type})`).join(', ');
      hostKeyProblem = setupError(
        'host-key',
        `the login node ${name} offered a host key that does not match the one you already trust: it offered ${type} ${fp}; known: ${where}`,
        'this may be an attack, or the cluster changed its keys: check the fingerprint with your cluster\'s administrators or documentation; if it is right, remove the old line (ssh-keygen -R) and run setup again. Nothing was written.',
      );
      return false;
    }
    opts.info(`the login node ${name} is not known yet; its host key is ${type} ${fp}`);
    if (opts.acceptNewHostKey) {
      opts.info('trusted because of --accept-new-host-key');
    } else if (!opts.ask.interactive) {
      hostKeyProblem = setupError('host-key', `the login node's host key is not known yet: ${type} ${fp}`, 'compare it with the fingerprint your cluster publishes, then run again with --accept-new-host-key. Nothing was written.');
      return false;
    } else if (!(await opts.ask.confirm(`Is ${fp} the fingerprint your cluster publishes for ${opts.host}? Trust it`, false))) {
      hostKeyProblem = setupError('host-key', 'the login node\'s host key was not accepted', 'nothing was written');
      return false;
    }
    newHostKey = { type, key };
    return true;
  };
  const log: AuthLog = { refused: [], skipped: [] };
  const ready = new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  client.connect({
    host: opts.host,
    port: opts.port,
    username: opts.auth.user,
    readyTimeout: opts.timeoutMs ?? (opts.ask.interactive ? 300_000 : 30_000),
    keepaliveInterval: 15_000,
    algorithms: { serverHostKey: preferredHostKeyAlgorithms(opts.knownHosts, name) as never },
    hostVerifier: (blob: Buffer, callback: (ok: boolean) => void) => {
      verify(blob).then(callback, (err) => {
        askError = err as Error;
        callback(false);
      });
    },
    authHandler: authHandler({ ...opts.auth, ask: opts.ask, log, onMethod: (m) => (method = m), onError: (e) => (askError = e) }),
  } as never);
  try {
    await ready;
  } catch (err) {
    client.end();
    if (hostKeyProblem) throw hostKeyProblem;
    if (askError instanceof SetupError) throw askError;
    const message = (err as Error).message;
    const tooMany = /too many authentication failures/i.test(message);
    if (/authentication methods failed/i.test(message) || tooMany) {
      if (tooMany && method) log.refused.push(method);
      throw new LoginRefused(
        `cannot log in to ${opts.host} as ${opts.auth.user}: ${refusal(log)}${tooMany ? '; then it closed the connection (too many authentication failures: its MaxAuthTries)' : ''}`,
        'check the user name (--user); give the key that logs you in with --identity FILE, or run "slurmhop setup" in a terminal to choose it',
        log,
        seen,
        newHostKey,
      );
    }
    throw setupError('connect', `cannot connect to ${opts.host} port ${opts.port}: ${message}`, 'check --host and --port, your network or VPN, and that you can reach the login node with ssh');
  }
  return { session: remoteSession(client), newHostKey, method };
}

/** "it refused the key ~/.ssh/id_ed25519 and a password (it accepts: publickey, password); not offered: ..." */
export function refusal(log: AuthLog): string {
  const list = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
  const refused = log.refused.length ? `it refused ${list(log.refused)}` : 'nothing could be offered: no key was found';
  const allowed = log.allowed ? ` (it accepts: ${log.allowed.join(', ') || 'nothing'})` : '';
  const skipped = log.skipped.length ? `; not offered: ${log.skipped.join('; ')}` : '';
  return `${refused}${allowed}${skipped}`;
}

/**
 * The methods the login node names for `user` before any key is offered, on a
 * connection that trusts only `hostKey` (seen on the attempt before); undefined
 * when it cannot be asked. An OpenSSH server answers the same for a user that
 * does not exist; a server with per-user rules may not.
 */
export function methodsFor(host: string, port: number, user: string, hostKey: string): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let methods: string[] | undefined;
    let calls = 0;
    const done = () => {
      client.end();
      resolve(methods);
    };
    client.once('error', done);
    client.once('ready', done);
    client.connect({
      host,
      port,
      username: user,
      readyTimeout: 20_000,
      hostVerifier: (blob: Buffer) => blob.toString('base64') === hostKey,
      authHandler: (left: string[] | null, _partial: boolean, callback: (auth: unknown) => void) => {
        if (calls++ === 0) return callback({ type: 'none', username: user });
        methods = left ?? undefined;
        callback(false);
      },
    } as never);
  });
}
