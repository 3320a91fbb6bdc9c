// Connect to the login node with ssh2, checking its host key the way OpenSSH
// would against the user's known_hosts files: a known key passes, a changed or
// revoked one stops the wizard, an unknown one is shown (SHA256 fingerprint)
// and trusted only after a yes or --accept-new-host-key.
import ssh2 from 'ssh2';
import type { Asker } from './ask.js';
import { authHandler, type AuthSources } from './auth-methods.js';
import { setupError, SetupError } from './errors.js';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsName, preferredHostKeyAlgorithms, type KnownHostEntry } from './known-hosts.js';
import { remoteSession, type RemoteSession } from './remote-session.js';

export interface ConnectOptions {
  host: string;
  port: number;
  auth: Omit<AuthSources, 'ask' | 'onMethod' | 'onError'>;
  knownHosts: KnownHostEntry[];
  acceptNewHostKey: boolean;
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

export async function connect(opts: ConnectOptions): Promise<Connected> {
  const name = knownHostsName(opts.host, opts.port);
  let hostKeyProblem: SetupError | undefined;
  let askError: Error | undefined;
  let newHostKey: Connected['newHostKey'];
  let method = '';
  const client = new ssh2.Client();
  const verify = async (blob: Buffer): Promise<boolean> => {
    const key = blob.toString('base64');
    const type = keyTypeOf(key);
    const fp = fingerprint(key);
    const result = checkHostKey(opts.knownHosts, name, key);
    if (result.status === 'known') return true;
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
    authHandler: authHandler({ ...opts.auth, ask: opts.ask, onMethod: (m) => (method = m), onError: (e) => (askError = e) }),
  } as never);
  try {
    await ready;
  } catch (err) {
    client.end();
    if (hostKeyProblem) throw hostKeyProblem;
    if (askError instanceof SetupError) throw askError;
    const message = (err as Error).message;
    if (/authentication methods failed/i.test(message)) {
      throw setupError('connect', `cannot log in to ${opts.host} as ${opts.auth.user}: every method failed (tried ${method || 'none'})`, 'check --user and your password; with a key, pass it with --identity FILE');
    }
    throw setupError('connect', `cannot connect to ${opts.host} port ${opts.port}: ${message}`, 'check --host and --port, your network or VPN, and that you can reach the login node with ssh');
  }
  return { session: remoteSession(client), newHostKey, method };
}
