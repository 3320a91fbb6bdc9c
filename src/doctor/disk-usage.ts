// How much a directory tree holds, as a quota counts it: bytes allocated on
// disk and inodes (files, directories, links). A home on a slow network
// filesystem may hold hundreds of thousands of files, so the walk stops at a
// deadline and says so.
import fs from 'node:fs';
import path from 'node:path';

export interface TreeUsage {
  bytes: number;
  /** Inodes: every file, directory and link, the top one included. */
  files: number;
  /** The newest modification time seen (ms), of the top or anything below it. */
  newestChangeMs: number;
  /** False when the walk stopped at its deadline: the numbers are a lower bound. */
  complete: boolean;
}

export interface WalkLimit {
  /** The clock the deadline is read on. */
  now: () => number;
  /** Stop when now() reaches this. */
  deadline: number;
}

/** Walks `top` without following symlinks; a path that does not exist is empty. */
export function measureTree(top: string, limit: WalkLimit): TreeUsage {
  const usage: TreeUsage = { bytes: 0, files: 0, newestChangeMs: 0, complete: true };
  const stack = [top];
  let seen = 0;
  while (stack.length) {
    // Reading the clock for every file would cost more than the lstat itself.
    if (++seen % 256 === 0 && limit.now() >= limit.deadline) {
      usage.complete = false;
      break;
    }
    const p = stack.pop()!;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue; // gone meanwhile, or not readable: nothing to count
    }
    usage.files++;
    usage.bytes += typeof st.blocks === 'number' ? st.blocks * 512 : st.size;
    usage.newestChangeMs = Math.max(usage.newestChangeMs, st.mtimeMs);
    if (st.isDirectory()) {
      try {
        for (const name of fs.readdirSync(p)) stack.push(path.join(p, name));
      } catch {
        // a directory we cannot read still counts itself
      }
    }
  }
  return usage;
}

export function addUsage(a: TreeUsage, b: TreeUsage): TreeUsage {
  return { bytes: a.bytes + b.bytes, files: a.files + b.files, newestChangeMs: Math.max(a.newestChangeMs, b.newestChangeMs), complete: a.complete && b.complete };
}

export const NO_USAGE: TreeUsage = { bytes: 0, files: 0, newestChangeMs: 0, complete: true };

/** 1536 -> "1.5 KiB"; binary units, as quota and df -h count. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 14673 -> "14,673" */
export const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

export const files = (n: number) => `${formatCount(n)} file${n === 1 ? '' : 's'}`;

/** "48 %" of a limit, rounded down so that 99.6 % is not shown as 100 %. */
export const percent = (used: number, limit: number) => `${Math.floor((100 * used) / limit)} %`;
