// The home directory's room: its quota (space and files) or, where quota
// reports none for it, its filesystem's free space; and what VS Code's server
// takes of it. ~/.vscode-server grows with every VS Code update (one real
// user's held 14,673 files, 48 % of a file quota), and a full home stops
// VS Code's server from installing and slurmhop from recording its jobs.
import fs from 'node:fs';
import path from 'node:path';
import type { DoctorDeps, FilesystemInfo } from '../deps.js';
import { QUOTA_DEADLINE_MS } from '../deps.js';
import { files, formatBytes, formatCount, measureTree, percent, type TreeUsage } from '../disk-usage.js';
import { effectiveLimit, exhausted, homeQuota, mountOf, parseMountinfo, parseQuota, type Mount, type QuotaLimit, type QuotaLine } from '../quota.js';
import { fail, warn, worst, type CheckResult } from '../result.js';
import { KEEP_VERSIONS } from '../cleanup.js';
import { serverVersions, VSCODE_SERVER_DIR, type ServerVersion } from '../vscode-server.js';

const NAME = 'home directory';
/** Above this share of a quota, say so before it is reached. */
const NEARLY_FULL = 0.8;
/** A filesystem shared by everyone is often well filled: only this full is worth a word. */
const FILESYSTEM_NEARLY_FULL = 0.9;
/** ~/.vscode-server holding this share of a quota is worth cleaning. */
const LARGE_SHARE = 0.25;
/** The walk of ~/.vscode-server stops here (a home on NFS may be slow). */
const WALK_DEADLINE_MS = 5_000;

const CLEANUP = '"remote cleanup" removes old VS Code server versions (it keeps the newest two and any in use) and the files of ended jobs ("remote cleanup --dry-run" shows what would go)';
const INSTALL_PATH = 'for a small home, set VS Code\'s "remote.SSH.serverInstallPath" to a directory on a larger filesystem (scratch, project space: "slurmhop setup --vscode-server-path DIR" sets it)';
const LARGEST = 'du -sh ~/.[!.]* ~/* | sort -h lists what else takes room';

export async function checkHome(deps: DoctorDeps): Promise<CheckResult> {
  const home = deps.home;
  const vscode = vscodeFootprint(deps);
  const mount = mountOf(realpath(home), parseMountinfo(deps.mountinfo()));
  const { line, note: quotaNote } = await quotaOf(deps, mount);
  const quota = line && (effectiveLimit(line.space) || effectiveLimit(line.files)) ? line : undefined;
  const note = line && !quota ? `quota sets no limit on ${line.filesystem}` : quotaNote;
  const findings: CheckResult[] = [];
  let summary: string;
  if (quota) {
    summary = `${home}: ${describeLimit(quota.space, formatBytes)}, ${describeLimit(quota.files, formatCount, ' files')} (quota on ${quota.filesystem})`;
    const now = deps.now() / 1000;
    for (const [what, q] of [['space', quota.space], ['file', quota.files]] as const) {
      const limit = effectiveLimit(q);
      if (!limit) continue;
      if (exhausted(q, now)) findings.push(fail(NAME, `your ${what} quota is used up: nothing more can be written to ${home}`, `${CLEANUP}; ${LARGEST}`));
      else if (q.used > NEARLY_FULL * limit) findings.push(warn(NAME, `${percent(q.used, limit)} of your ${what} quota is used`, `${CLEANUP}; ${INSTALL_PATH}`));
    }
    if (vscode) {
      const shares = [
        ['space', vscode.usage.bytes, effectiveLimit(quota.space)],
        ['file', vscode.usage.files, effectiveLimit(quota.files)],
      ] as const;
      for (const [what, used, limit] of shares) {
        if (limit && used >= LARGE_SHARE * limit) findings.push(warn(NAME, `~/${VSCODE_SERVER_DIR} holds ${percent(used, limit)} of your ${what} quota`, `${CLEANUP}; ${INSTALL_PATH}`));
      }
    }
  } else {
    const where = mount ? ` (${mount.source} on ${mount.mountPoint})` : '';
    let room: FilesystemInfo;
    try {
      room = deps.filesystem(home);
    } catch (err) {
      return warn(NAME, `${home}: no quota reported (${note}), and its filesystem's free space cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    summary = `${home}: no quota reported (${note}); its filesystem${where} has ${describeFree(room)}`;
    const usedShare = Math.max(1 - room.availableBytes / (room.totalBytes || 1), room.files ? 1 - room.freeFiles / room.files : 0);
    if (room.totalBytes && usedShare > FILESYSTEM_NEARLY_FULL) {
      findings.push(warn(NAME, `its filesystem is ${Math.floor(usedShare * 100)} % full`, `${CLEANUP}; ${INSTALL_PATH}`));
    }
  }
  const result = worst(NAME, findings, summary);
  if (result.status !== 'ok') result.summary = `${summary}: ${result.summary}`;
  result.details = [...(vscode ? [describeVscode(vscode)] : []), ...(result.details ?? [])];
  if (!result.details.length) delete result.details;
  return result;
}

interface Footprint {
  usage: TreeUsage;
  versions: ServerVersion[];
}

function vscodeFootprint(deps: DoctorDeps): Footprint | undefined {
  const root = path.join(deps.home, VSCODE_SERVER_DIR);
  if (!fs.existsSync(root)) return undefined;
  return { usage: measureTree(root, { now: deps.now, deadline: deps.now() + WALK_DEADLINE_MS }), versions: serverVersions(root) };
}

function describeVscode(f: Footprint): string {
  const size = `${formatBytes(f.usage.bytes)} in ${files(f.usage.files)}`;
  const old = Math.max(0, f.versions.length - KEEP_VERSIONS);
  const versions = `${f.versions.length} server version${f.versions.length === 1 ? '' : 's'}${old ? `, ${old} older than the newest ${KEEP_VERSIONS}` : ''}`;
  const partial = f.usage.complete ? '' : ` (at least: stopped counting after ${WALK_DEADLINE_MS / 1000}s)`;
  return `~/${VSCODE_SERVER_DIR}: ${size}${partial}, ${versions}`;
}

function describeLimit(q: QuotaLimit, format: (n: number) => string, unit = ''): string {
  const limit = effectiveLimit(q);
  if (!limit) return `${format(q.used)}${unit} (no limit)`;
  const hard = q.soft && q.hard && q.hard !== q.soft ? `, hard limit ${format(q.hard)}` : '';
  return `${format(q.used)} of ${format(limit)}${unit} (${percent(q.used, limit)}${hard})`;
}

function describeFree(room: FilesystemInfo): string {
  const space = `${formatBytes(room.availableBytes)} of ${formatBytes(room.totalBytes)} free`;
  return room.files ? `${space}, ${formatCount(room.freeFiles)} of ${formatCount(room.files)} files free` : space;
}

async function quotaOf(deps: DoctorDeps, mount: Mount | undefined): Promise<{ line?: QuotaLine | undefined; note: string }> {
  let answer;
  try {
    answer = await deps.quota();
  } catch (err) {
    return { note: `quota failed: ${(err as Error).message}` };
  }
  if (!answer) return { note: 'quota is not installed' };
  if (answer.timedOut) return { note: `quota did not answer within ${QUOTA_DEADLINE_MS / 1000}s` };
  const lines = parseQuota(answer.stdout);
  const line = homeQuota(lines, mount);
  if (line) return { line, note: '' };
  if (lines.length) return { note: `quota lists ${lines.map((l) => l.filesystem).join(', ')}, not ${mount?.source ?? "the home's filesystem"}` };
  const said = answer.stderr.trim().split('\n').pop()?.replace(/^quota:\s*/, '');
  return { note: answer.exitCode !== 0 && said ? `quota: ${said}` : 'quota lists none for you' };
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
