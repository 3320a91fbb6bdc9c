// The job host key: the same on every node, pinned on the laptop. sshd refuses
// a private key others can read; a .pub that does not match the private key
// means the laptop pinned a key the sessions do not present.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { hostKeyFile } from '../../paths.js';
import type { DoctorDeps } from '../deps.js';
import { lstatOrUndefined, octal, whoElse } from '../modes.js';
import { fail, ok, warn, type CheckResult } from '../result.js';

const NAME = 'host key';
const REPIN = 'then pin it again on the laptop ("slurmhop setup" does it)';

export async function checkHostKey(deps: DoctorDeps): Promise<CheckResult> {
  const key = hostKeyFile(deps.stateDir);
  const pub = `${key}.pub`;
  const st = lstatOrUndefined(key);
  if (!st) {
    return warn(NAME, `${key} does not exist yet (the first job creates it)`, '"remote hostkey" creates it now and prints it, to pin on the laptop ("slurmhop setup" does both)');
  }
  if (!st.isFile()) return fail(NAME, `${key} is not a regular file${st.isSymbolicLink() ? ' (a symlink)' : ''}`, `remove ${key} and ${pub}, run "remote hostkey", ${REPIN}`);
  if (deps.uid !== undefined && st.uid !== deps.uid) {
    return fail(NAME, `${key} belongs to uid ${st.uid}, not to you`, `remove ${key} and ${pub}, run "remote hostkey", ${REPIN}`);
  }
  const others = whoElse(st.mode, 0o077);
  if (others) {
    return fail(NAME, `${key} is ${octal(st.mode)}: ${others} (sshd refuses such a key)`, `chmod 600 ${key} (whoever could read it could pose as your sessions: to replace it, remove both files, run "remote hostkey", ${REPIN})`);
  }
  const pubText = readOrUndefined(pub);
  if (pubText === undefined) return fail(NAME, `${pub} is missing`, `ssh-keygen -y -f ${key} > ${pub}, ${REPIN}`);
  const [type, blob] = pubText.trim().split(/\s+/);
  if (!type || !blob) return fail(NAME, `${pub} is not a public key`, `ssh-keygen -y -f ${key} > ${pub}, ${REPIN}`);
  const summary = `${key} (${octal(st.mode)}): ${type} ${fingerprint(blob)}`;
  let derived: string;
  try {
    derived = await deps.publicKeyOf(key);
  } catch (err) {
    return warn(NAME, `${summary}; could not compare it with ${pub}: ${(err as Error).message}`);
  }
  const [dType, dBlob] = derived.split(/\s+/);
  if (dType !== type || dBlob !== blob) {
    return fail(NAME, `${pub} does not match ${key}: sessions present a key the laptop did not pin`, `ssh-keygen -y -f ${key} > ${pub}, ${REPIN}`);
  }
  return ok(NAME, summary);
}

/** OpenSSH's SHA256 fingerprint, to compare with the laptop's pin (ssh-keygen -lf). */
export function fingerprint(blob: string): string {
  return `SHA256:${crypto.createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
