// The home directory's quota, as `quota -w -p` (Linux quota tools 4.x, the
// `quota` package of Debian and RHEL) prints it, and the mount that holds the
// home (from /proc/self/mountinfo), to tell its line from other filesystems'.
//
// Each filesystem with a quota and some usage is one line (quota.c's
// showquotas: "%15s" then " %7s%c %6s %7s %7s" for space and again for files):
//   <filesystem> <KiB used>[*] <soft> <hard> <grace> <files used>[*] <soft> <hard> <grace>
// -w keeps a long filesystem name on the line; -p prints each grace as seconds
// since the epoch ("0" when none runs), so every line has the same fields. A
// limit of 0 is no limit; "*" marks usage over a limit. Users with no quota
// get "Disk quotas for user NAME (uid N): none", or nothing at all.

export interface QuotaLimit {
  used: number;
  soft: number;
  hard: number;
  /** When the grace period ends (s since the epoch), 0 when none runs. */
  grace: number;
}

export interface QuotaLine {
  /** The filesystem as quota names it: the mount's source (a device, server:/export). */
  filesystem: string;
  /** In bytes (quota prints KiB). */
  space: QuotaLimit;
  files: QuotaLimit;
}

const NUMBER = /^\d+$/;

export function parseQuota(stdout: string): QuotaLine[] {
  const lines: QuotaLine[] = [];
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 9) continue;
    const fields = words.slice(-8).map((w, i) => (i === 0 || i === 4 ? w.replace(/\*$/, '') : w));
    if (!fields.every((f) => NUMBER.test(f))) continue; // the heading, or a line of another format
    const [spaceUsed, spaceSoft, spaceHard, spaceGrace, filesUsed, filesSoft, filesHard, filesGrace] = fields.map(Number) as [number, number, number, number, number, number, number, number];
    lines.push({
      filesystem: words.slice(0, -8).join(' '),
      space: { used: spaceUsed * 1024, soft: spaceSoft * 1024, hard: spaceHard * 1024, grace: spaceGrace },
      files: { used: filesUsed, soft: filesSoft, hard: filesHard, grace: filesGrace },
    });
  }
  return lines;
}

/** The limit that matters first: the soft one (its grace then starts), else the hard one; 0 for none. */
export const effectiveLimit = (q: QuotaLimit) => q.soft || q.hard;

/** Writes fail: at the hard limit, or over the soft one once its grace has run out. */
export function exhausted(q: QuotaLimit, nowSeconds: number): boolean {
  if (q.hard && q.used >= q.hard) return true;
  return Boolean(q.soft && q.used > q.soft && q.grace && q.grace <= nowSeconds);
}

export interface Mount {
  mountPoint: string;
  source: string;
  fsType: string;
}

/** /proc/self/mountinfo: "id parent major:minor root mountpoint options [optional...] - fstype source superoptions". */
export function parseMountinfo(text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').flatMap((line) => {
    const words = line.trim().split(' ');
    const dash = words.indexOf('-');
    if (dash < 6 || words.length < dash + 3) return [];
    return [{ mountPoint: unescape(words[4]!), fsType: words[dash + 1]!, source: unescape(words[dash + 2]!) }];
  });
}

/** The mount that holds `dir` (a real path): the longest mount point above it, the last one mounted on it. */
export function mountOf(dir: string, mounts: Mount[]): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const prefix = m.mountPoint === '/' ? '/' : `${m.mountPoint}/`;
    if (dir !== m.mountPoint && !dir.startsWith(prefix)) continue;
    if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/** The quota line of the home's filesystem: the one named as its mount's source (or mount point). */
export function homeQuota(lines: QuotaLine[], mount: Mount | undefined): QuotaLine | undefined {
  if (!mount) return undefined;
  return lines.find((l) => l.filesystem === mount.source || l.filesystem === mount.mountPoint || l.filesystem.split(' ').includes(mount.mountPoint));
}
