// The state directory and its subdirectories: 0700 and the user's own. Other
// commands tighten a wrong mode silently (ensurePrivateDir); doctor runs first
// and says what it found, with the fix, changing nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { DoctorDeps } from '../deps.js';
import { lstatOrUndefined, octal, whoElse } from '../modes.js';
import { fail, ok, warn, worst, type CheckResult } from '../result.js';

const NAME = 'state directory';
const SUBDIRS = ['jobs', 'logs', 'locks', 'hostkey', 'update'];
const MIN_FREE_BYTES = 16 * 2 ** 20;

export function checkStateDir(deps: DoctorDeps): CheckResult {
  const dir = deps.stateDir;
  const st = lstatOrUndefined(dir);
  if (!st) return ok(NAME, `${dir} does not exist yet (the first connect creates it, 0700)`);
  // What is inside a directory that is not ours (or not a directory) does not matter yet.
  const unusable = notOurDirectory(deps, dir, st);
  if (unusable) return unusable;
  const findings = [privateDir(deps, dir, st)];
  const wrong: string[] = [];
  for (const sub of SUBDIRS) {
    const p = path.join(dir, sub);
    const s = lstatOrUndefined(p);
    if (s && privateDir(deps, p, s).status !== 'ok') wrong.push(p);
  }
  const jobs = path.join(dir, 'jobs');
  if (lstatOrUndefined(jobs)?.isDirectory()) {
    for (const id of fs.readdirSync(jobs)) {
      const p = path.join(jobs, id);
      const s = lstatOrUndefined(p);
      if (s?.isDirectory() && privateDir(deps, p, s).status !== 'ok') wrong.push(p);
    }
  }
  if (wrong.length) {
    const shown = wrong.slice(0, 3).join(', ') + (wrong.length > 3 ? ` and ${wrong.length - 3} more` : '');
    findings.push(fail(NAME, `not private (0700, yours): ${shown}`, wrong.length > 3 ? `chmod -R go-rwx ${dir}` : `chmod 700 ${wrong.join(' ')}`));
  }
  findings.push(writable(deps, dir));
  return worst(NAME, findings, `${dir}: 0700, yours`);
}

function privateDir(deps: DoctorDeps, dir: string, st: fs.Stats): CheckResult {
  const unusable = notOurDirectory(deps, dir, st);
  if (unusable) return unusable;
  const others = whoElse(st.mode, 0o077);
  if (others) return fail(NAME, `${dir} is ${octal(st.mode)}: ${others}`, `chmod 700 ${dir}`);
  if ((st.mode & 0o700) !== 0o700) return fail(NAME, `${dir} is ${octal(st.mode)}: you cannot use it`, `chmod 700 ${dir}`);
  return ok(NAME, dir);
}

function notOurDirectory(deps: DoctorDeps, dir: string, st: fs.Stats): CheckResult | undefined {
  if (st.isSymbolicLink()) return fail(NAME, `${dir} is a symlink`, `move it away (mv ${dir} ${dir}.old); slurmhop creates it again`);
  if (!st.isDirectory()) return fail(NAME, `${dir} is not a directory`, `move it away (mv ${dir} ${dir}.old); slurmhop creates it again`);
  if (deps.uid !== undefined && st.uid !== deps.uid) {
    return fail(NAME, `${dir} belongs to uid ${st.uid}, not to you (uid ${deps.uid})`, `move it away if you can (mv ${dir} ${dir}.old), or ask your admins to give it back to you`);
  }
  return undefined;
}

function writable(deps: DoctorDeps, dir: string): CheckResult {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    return fail(NAME, `${dir} is not writable: ${(err as NodeJS.ErrnoException).code}`, 'a read-only filesystem or a full quota: ask your admins');
  }
  try {
    const free = deps.freeBytes(dir);
    if (free < MIN_FREE_BYTES) return warn(NAME, `only ${(free / 2 ** 20).toFixed(1)} MiB free where ${dir} is`, 'free some space (job output in logs/ can be removed)');
  } catch {
    // statfs is not available everywhere: nothing to say
  }
  return ok(NAME, dir);
}
