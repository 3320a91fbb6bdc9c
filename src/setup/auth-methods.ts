// The order the wizard logs in, like OpenSSH: keys (the given one, slurmhop's,
// the agent's, the usual ~/.ssh/id_*), then keyboard-interactive (MFA and OTP
// prompts are shown as the server sends them), then a password. After a
// partial success (key, then OTP) it goes on with what the server still allows.
import fs from 'node:fs';
import ssh2, { type AuthenticationType, type AuthHandlerMiddleware, type KeyboardInteractiveCallback } from 'ssh2';

const { utils } = ssh2; // a CommonJS package: named imports fail under Node's ESM loader
import type { Asker } from './ask.js';

export interface AuthSources {
  user: string;
  /** Private key files to try, in order; unreadable or encrypted ones without an answer are skipped. */
  keyFiles: string[];
  agent?: string | undefined;
  /** From --password-stdin: answers the password method and password-like keyboard-interactive prompts. */
  password?: string | undefined;
  ask: Asker;
  /** The method that finally logged in, for the report. */
  onMethod?: (description: string) => void;
  /** An error while asking (no terminal, Ctrl-C): reported instead of "authentication failed". */
  onError?: (err: Error) => void;
}

type Candidate = { method: 'publickey' | 'agent' | 'keyboard-interactive' | 'password'; make: () => Promise<AuthenticationType | undefined>; what: string };

export function authHandler(src: AuthSources): AuthHandlerMiddleware {
  const candidates: Candidate[] = [];
  for (const file of src.keyFiles) {
    candidates.push({ method: 'publickey', what: `key ${file}`, make: () => loadKey(file, src) });
  }
  if (src.agent) candidates.push({ method: 'agent', what: 'ssh-agent', make: async () => ({ type: 'agent', username: src.user, agent: src.agent! }) as unknown as AuthenticationType });
  candidates.push({
    method: 'keyboard-interactive',
    what: 'keyboard-interactive',
    make: async () => ({ type: 'keyboard-interactive', username: src.user, prompt: kbdPrompt(src) }) as unknown as AuthenticationType,
  });
  let passwordTries = 0;
  const password: Candidate = {
    method: 'password',
    what: 'password',
    make: async () => {
      passwordTries++;
      const pw = src.password ?? (await src.ask.secret(`Password for ${src.user}:`));
      return { type: 'password', username: src.user, password: pw } as unknown as AuthenticationType;
    },
  };
  let last: string | undefined;
  let asked = false;
  return (methodsLeft, partialSuccess, callback) => {
    if (last && partialSuccess) src.onMethod?.(last);
    // First ask with "none", as OpenSSH does, to learn which methods the server allows.
    if (!asked) {
      asked = true;
      return callback({ type: 'none', username: src.user } as unknown as AuthenticationType);
    }
    void (async () => {
      const allowed = (m: Candidate['method']) => methodsLeft === null || methodsLeft.includes(m === 'agent' ? 'publickey' : m);
      for (;;) {
        // A method the server does not allow yet stays for later (after a partial success).
        const i = candidates.findIndex((c) => allowed(c.method));
        let next = i >= 0 ? candidates.splice(i, 1)[0] : undefined;
        if (!next && allowed('password') && passwordTries < (src.password === undefined && src.ask.interactive ? 3 : 1)) next = password;
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

async function loadKey(file: string, src: AuthSources): Promise<AuthenticationType | undefined> {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  let parsed = utils.parseKey(data);
  let passphrase: string | undefined;
  if (parsed instanceof Error && /encrypted|passphrase/i.test(parsed.message)) {
    if (!src.ask.interactive) return undefined;
    passphrase = await src.ask.secret(`Passphrase for ${file}:`);
    parsed = utils.parseKey(data, passphrase);
  }
  if (parsed instanceof Error) return undefined;
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
