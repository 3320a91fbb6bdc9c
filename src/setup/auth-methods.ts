// The order the wizard logs in, like OpenSSH: keys (the chosen or configured
// one, slurmhop's, those the user's own ssh config names), the agent's, then
// keyboard-interactive (MFA and OTP prompts are shown as the server sends
// them), then a password. After a partial success (key, then OTP) it goes on
// with what the server still allows. What was offered and refused is logged,
// so that a failure can say it.
import fs from 'node:fs';
import ssh2, { type AuthenticationType, type AuthHandlerMiddleware, type KeyboardInteractiveCallback } from 'ssh2';
import { agentWithOnly } from './agent-keys.js';
import type { Asker } from './ask.js';

const { utils } = ssh2; // a CommonJS package: named imports fail under Node's ESM loader

export interface AuthSources {
  user: string;
  /** Key files to try, in order: private keys, or a public key whose private half is in the agent. */
  keyFiles: string[];
  /** The agent's socket: each key file's public-only half is signed there. */
  agent?: string | undefined;
  /** Also offer every key the agent holds (after the files). */
  agentKeys?: boolean | undefined;
  /** From --password-stdin: answers the password method and password-like keyboard-interactive prompts. */
  password?: string | undefined;
  /** Keyboard-interactive and password only as a second step after a key (a retry with a chosen key). */
  secondFactorOnly?: boolean | undefined;
  /** Names a file for messages (`~/.ssh/id_ed25519`). */
  show?: ((file: string) => string) | undefined;
  ask: Asker;
  /** The method that finally logged in, for the report. */
  onMethod?: (description: string) => void;
  /** An error while asking (no terminal, Ctrl-C): reported instead of "authentication failed". */
  onError?: (err: Error) => void;
  /** Filled in as the login goes. */
  log?: AuthLog | undefined;
}

export interface AuthLog {
  /** The methods the server named for this user before any try. */
  allowed?: string[] | undefined;
  /** What the server refused, in order. */
  refused: string[];
  /** Keys that could not be offered, and why. */
  skipped: string[];
}

type Candidate = { method: 'publickey' | 'agent' | 'keyboard-interactive' | 'password'; make: () => Promise<AuthenticationType | undefined>; what: string };

export function authHandler(src: AuthSources): AuthHandlerMiddleware {
  const log = src.log ?? { refused: [], skipped: [] };
  const show = src.show ?? ((f: string) => f);
  const candidates: Candidate[] = [];
  for (const file of src.keyFiles) {
    candidates.push({ method: 'publickey', what: `the key ${show(file)}`, make: () => loadKey(file, src, log, show) });
  }
  if (src.agent && src.agentKeys) candidates.push({ method: 'agent', what: "the agent's keys", make: async () => ({ type: 'agent', username: src.user, agent: src.agent! }) as unknown as AuthenticationType });
  // Without a terminal only a password from --password-stdin can answer.
  const canAnswer = src.ask.tty || src.password !== undefined;
  if (canAnswer) candidates.push({
    method: 'keyboard-interactive',
    what: 'keyboard-interactive',
    make: async () => ({ type: 'keyboard-interactive', username: src.user, prompt: kbdPrompt(src) }) as unknown as AuthenticationType,
  });
  let passwordTries = 0;
  const password: Candidate = {
    method: 'password',
    what: 'a password',
    make: async () => {
      passwordTries++;
      const pw = src.password ?? (await src.ask.secret(`Password for ${src.user}:`));
      return { type: 'password', username: src.user, password: pw } as unknown as AuthenticationType;
    },
  };
  let last: string | undefined;
  let asked = false;
  let partly = false;
  return (methodsLeft, partialSuccess, callback) => {
    if (last && partialSuccess) src.onMethod?.(last);
    else if (last) log.refused.push(last);
    partly ||= partialSuccess === true;
    last = undefined;
    // First ask with "none", as OpenSSH does, to learn which methods the server allows.
    if (!asked) {
      asked = true;
      return callback({ type: 'none', username: src.user } as unknown as AuthenticationType);
    }
    log.allowed ??= methodsLeft ?? undefined;
    void (async () => {
      const secondStep = (m: Candidate['method']) => !src.secondFactorOnly || partly || m === 'publickey' || m === 'agent';
      const allowed = (m: Candidate['method']) => secondStep(m) && (methodsLeft === null || methodsLeft.includes(m === 'agent' ? 'publickey' : m));
      for (;;) {
        // A method the server does not allow yet stays for later (after a partial success).
        const i = candidates.findIndex((c) => allowed(c.method));
        let next = i >= 0 ? candidates.splice(i, 1)[0] : undefined;
        if (!next && canAnswer && allowed('password') && passwordTries < (src.password === undefined && src.ask.interactive ? 3 : 1)) next = password;
        if (!next) return callback(false as never);
        const auth = await next.make();
        if (!auth) continue;
        last = next.what;
        src.onMethod?.(next.what);
        return callback(auth);
      }
    })().catch((err) => {
      src.onError?.(err as Error);
      callback(false as never);
    });
  };
}

async function loadKey(file: string, src: AuthSources, log: AuthLog, show: (f: string) => string): Promise<AuthenticationType | undefined> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined; // not there: not a key this user has
  }
  let parsed = utils.parseKey(data);
  let passphrase: string | undefined;
  if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
    if (!src.ask.interactive) {
      log.skipped.push(`${show(file)} (it has a passphrase, and there is no terminal to ask it)`);
      return undefined;
    }
    passphrase = await src.ask.secret(`Passphrase for ${show(file)}:`);
    parsed = utils.parseKey(data, passphrase);
  }
  if (parsed instanceof Error) {
    log.skipped.push(`${show(file)} (${passphrase === undefined ? 'not a key ssh can use' : 'wrong passphrase'}: ${parsed.message})`);
    return undefined;
  }
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  if (!key.isPrivateKey()) {
    // A public key alone: its private half must be in the agent (as OpenSSH does with IdentityFile *.pub).
    if (!src.agent) {
      log.skipped.push(`${show(file)} (a public key, and no ssh-agent holds its private key)`);
      return undefined;
    }
    return { type: 'agent', username: src.user, agent: agentWithOnly(src.agent, [key.getPublicSSH().toString('base64')]) } as unknown as AuthenticationType;
  }
  return { type: 'publickey', username: src.user, key: data, passphrase } as unknown as AuthenticationType;
}

const looksLikePassword = (prompt: string) => /pass(word|code)?\s*[:>]?\s*$/i.test(prompt.trim()) && !/one[- ]time|otp|token|code|verification/i.test(prompt);

function kbdPrompt(src: AuthSources) {
  return async (name: string, instructions: string, _lang: string, prompts: Array<{ prompt: string; echo?: boolean }>, finish: KeyboardInteractiveCallback) => {
    try {
      if (name || instructions) process.stderr.write(`${[name, instructions].filter(Boolean).join('\n')}\n`);
      const answers: string[] = [];
      for (const p of prompts) {
        if (src.password !== undefined && !p.echo && looksLikePassword(p.prompt)) answers.push(src.password);
        else answers.push(await src.ask.secret(p.prompt, p.echo === true));
      }
      finish(answers);
    } catch (err) {
      src.onError?.(err as Error);
      finish([]);
    }
  };
}
