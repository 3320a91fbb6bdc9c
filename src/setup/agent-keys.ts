// The keys an ssh-agent holds: listed for the wizard's key question, and an
// agent restricted to one of them (OpenSSH's IdentitiesOnly with an
// IdentityFile that names only the public key), so that a login offers that
// key alone and not every key up to the server's MaxAuthTries.
import ssh2 from 'ssh2';
import { fingerprint } from './known-hosts.js';

export interface AgentKey {
  type: string;
  /** The public key's blob (base64), as in authorized_keys. */
  blob: string;
  comment: string;
  fingerprint: string;
}

type ParsedKey = ssh2.ParsedKey;
type Agent = ssh2.BaseAgent<ParsedKey>;
type Listed = ssh2.IdentityCallback<ParsedKey>;

/** The agent's keys; none when there is no agent or it does not answer. */
export function agentKeys(socket: string | undefined): Promise<AgentKey[]> {
  if (!socket) return Promise.resolve([]);
  return new Promise((resolve) => {
    let agent: Agent;
    try {
      agent = ssh2.createAgent(socket) as Agent;
    } catch {
      return resolve([]);
    }
    agent.getIdentities(((err, keys) => {
      if (err || !keys) return resolve([]);
      resolve(
        keys.filter((k): k is ParsedKey => 'getPublicSSH' in k).map((k) => {
          const blob = k.getPublicSSH().toString('base64');
          return { type: k.type, blob, comment: k.comment ?? '', fingerprint: fingerprint(blob) };
        }),
      );
    }) as Listed);
  });
}

/** An agent that offers only the keys whose blobs are given. */
export function agentWithOnly(socket: string, blobs: string[]): Agent {
  const inner = ssh2.createAgent(socket) as Agent;
  const wanted = new Set(blobs);
  class Only extends ssh2.BaseAgent<ParsedKey> {
    override getIdentities(cb: Listed): void {
      inner.getIdentities(((err, keys) => cb(err, keys?.filter((k) => 'getPublicSSH' in k && wanted.has(k.getPublicSSH().toString('base64'))))) as Listed);
    }
    override sign(...args: unknown[]): void {
      (inner.sign as (...a: unknown[]) => void)(...args);
    }
  }
  return new Only();
}
