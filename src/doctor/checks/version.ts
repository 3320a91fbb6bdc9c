// Which slurmhop runs, on what: the executable needs Linux, x86_64 or aarch64, glibc >= 2.28.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_FRONT, FRONT_IN_ROOT, rootOfExecutable } from '../../install-layout.js';
import type { DoctorDeps } from '../deps.js';
import { fail, ok, warn, worst, type CheckResult } from '../result.js';

const NAME = 'version';
const ARCHES: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const MIN_GLIBC = [2, 28];

export function checkVersion(deps: DoctorDeps): CheckResult {
  const glibc = deps.glibc();
  const copy = deps.running.source === 'built-in' ? 'built-in copy' : deps.running.source === 'installed' ? `installed release in ${deps.running.dir}` : `--bundle ${deps.running.dir}`;
  const where = `${deps.platform} ${ARCHES[deps.arch] ?? deps.arch}, ${glibc ? `glibc ${glibc}` : 'no glibc'}`;
  const findings: CheckResult[] = [];
  if (deps.platform !== 'linux') findings.push(fail(NAME, `this is ${deps.platform}, not Linux`, 'run "remote doctor" on the cluster\'s login node'));
  if (!ARCHES[deps.arch]) findings.push(fail(NAME, `no slurmhop executable is built for ${deps.arch}`, 'use a login node with x86_64 or aarch64'));
  if (glibc && olderThan(glibc, MIN_GLIBC)) findings.push(fail(NAME, `glibc ${glibc} is older than ${MIN_GLIBC.join('.')}`, 'use a login node with a newer distribution (RHEL/Rocky 8+, Debian 10+, Ubuntu 20.04+)'));
  if (!glibc && deps.platform === 'linux') findings.push(warn(NAME, 'no glibc found (musl?): the executable needs glibc >= 2.28'));
  findings.push(installedCheck(deps));
  const result = worst(NAME, findings, `slurmhop ${deps.version} (${copy}), ${where}`);
  if (result.status !== 'ok') result.summary = `slurmhop ${deps.version} (${copy}), ${where}: ${result.summary}`;
  return result;
}

/** The ssh config that setup writes runs the front of remote: beside this executable in its layout, else ~/.local/bin/remote. */
function installedCheck(deps: DoctorDeps): CheckResult {
  const root = rootOfExecutable(deps.remoteCommand[0] ?? '');
  const bin = root ? path.join(root, FRONT_IN_ROOT) : path.join(deps.home, DEFAULT_FRONT);
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return ok(NAME, bin);
  } catch {
    return warn(NAME, `${bin} is missing or not executable (the ProxyCommand that setup writes runs it)`, `copy the executable there and "chmod 755 ${bin}" ("slurmhop setup" on the laptop does it)`);
  }
}

function olderThan(version: string, min: number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    const v = parts[i] ?? 0;
    if (v !== min[i]) return v < min[i]!;
  }
  return false;
}
