// The job's sshd accepts the keys in ~/.ssh/authorized_keys, with StrictModes:
// it refuses them when the home directory, ~/.ssh or the file can be written
// by others.
import fs from 'node:fs';
import path from 'node:path';
import type { DoctorDeps } from '../deps.js';
import { lstatOrUndefined, octal, whoElse } from '../modes.js';
import { fail, ok, warn, worst, type CheckResult } from '../result.js';

const NAME = 'authorized_keys';
const ADD_KEY = "add your laptop's public key (its ~/.ssh/id_ed25519.pub line) to it; \"slurmhop setup\" does it";
const KEY_TYPE = /(^|\s)(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+[A-Za-z0-9+/]+=*(\s|$)/;

export function checkAuthorizedKeys(deps: DoctorDeps): CheckResult {
  const sshDir = path.join(deps.home, '.ssh');
  const file = path.join(sshDir, 'authorized_keys');
  const findings: CheckResult[] = [notWritableByOthers(deps, deps.home, 'your home directory', `chmod go-w ${deps.home}`)];
  const dir = lstatOrUndefined(sshDir);
  if (!dir) return worst(NAME, [...findings, fail(NAME, `${sshDir} does not exist`, `mkdir -m 700 ${sshDir}, then ${ADD_KEY}`)], '');
  findings.push(notWritableByOthers(deps, sshDir, sshDir, `chmod 700 ${sshDir}`));
  const readable = whoElse(dir.mode, 0o055);
  if (readable && findings.every((f) => f.status === 'ok')) findings.push(warn(NAME, `${sshDir} is ${octal(dir.mode)}: ${readable}`, `chmod 700 ${sshDir}`));

  const st = statOrUndefined(file);
  if (!st) return worst(NAME, [...findings, fail(NAME, `${file} does not exist`, ADD_KEY)], '');
  if (!st.isFile()) return worst(NAME, [...findings, fail(NAME, `${file} is not a regular file`, `replace it with a file: ${ADD_KEY}`)], '');
  findings.push(notWritableByOthers(deps, file, file, `chmod 600 ${file}`));
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const keys = lines.filter((l) => KEY_TYPE.test(l));
  if (keys.length === 0) findings.push(fail(NAME, `${file} has no public keys`, ADD_KEY));
  else if (keys.length < lines.length) findings.push(warn(NAME, `${lines.length - keys.length} line(s) of ${file} are not public keys sshd can use`, `remove or fix them in ${file}`));
  return worst(NAME, findings, `${file}: ${keys.length} key${keys.length === 1 ? '' : 's'} (${octal(st.mode)}; ${sshDir} ${octal(dir.mode)})`);
}

/** StrictModes: yours (or root's), not writable by group or others. */
function notWritableByOthers(deps: DoctorDeps, file: string, what: string, fix: string): CheckResult {
  const st = statOrUndefined(file);
  if (!st) return ok(NAME, what);
  if (deps.uid !== undefined && st.uid !== deps.uid && st.uid !== 0) {
    return fail(NAME, `${what} belongs to uid ${st.uid}, not to you (sshd refuses your keys)`, 'ask your admins to give it back to you');
  }
  const writers = whoElse(st.mode, 0o022);
  return writers ? fail(NAME, `${what} is ${octal(st.mode)}: ${writers} (sshd refuses your keys)`, fix) : ok(NAME, what);
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
