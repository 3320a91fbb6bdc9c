// What `quota -w -p` prints, built with the format strings of the Linux quota
// tools' quota.c, heading() and showquotas() (the same strings are in the
// binaries of Debian's quota 4.06, bullseye and bookworm, and 4.11, sid):
//   "Disk quotas for %s %s (%cid %u): %s\n"                 (tag "" or "none")
//   "%15s%8s %7s%8s%8s%8s %7s%8s%8s\n"                      the column heading
//   "%15s" (the device: -w never wraps it), then twice " %7s%c %6s %7s %7s"
//     (used, '*' when over a limit or ' ', soft, hard, grace), then "\n".
// Space is in KiB; with -p a grace is seconds since the epoch, "0" when none runs.
// Run by hand, quota 4.06 with no quota on any filesystem printed nothing and exited 1.

export interface Usage {
  used: number;
  soft: number;
  hard: number;
  grace?: number;
  over?: boolean;
}

const field = (u: Usage) => ` ${String(u.used).padStart(7)}${u.over ? '*' : ' '} ${String(u.soft).padStart(6)} ${String(u.hard).padStart(7)} ${String(u.grace ?? 0).padStart(7)}`;

export function quotaLine(device: string, spaceKiB: Usage, files: Usage): string {
  return `${device.padStart(15)}${field(spaceKiB)}${field(files)}`;
}

export function quotaOutput(user: string, uid: number, lines: string[]): string {
  if (!lines.length) return `Disk quotas for user ${user} (uid ${uid}): none\n`;
  const heading = `${'Filesystem'.padStart(15)}${'blocks'.padStart(8)} ${'quota'.padStart(7)}${'limit'.padStart(8)}${'grace'.padStart(8)}${'files'.padStart(8)} ${'quota'.padStart(7)}${'limit'.padStart(8)}${'grace'.padStart(8)}`;
  return [`Disk quotas for user ${user} (uid ${uid}): `, heading, ...lines].join('\n') + '\n';
}
