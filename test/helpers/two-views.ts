// One directory seen through two FUSE views (bindfs), as two login nodes see
// a shared home: a file removed through one view while the other holds it
// open makes the open descriptor fail (ENOENT), as NFS does (ESTALE).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { findOnPath } from '../../src/fsutil.js';

/** Why two views cannot be mounted here, or undefined when they can. */
export function twoViewsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting FUSE views needs root';
  if (!findOnPath('bindfs', process.env)) return 'bindfs is not installed (scripts/cluster install-deps)';
  if (!fs.existsSync('/dev/fuse')) return 'no /dev/fuse';
  return undefined;
}

/** Mounts `here` and `there` over `<root>/src`; unmounted when the test ends. */
export function twoViews(root: string): { here: string; there: string } {
  const views = { here: path.join(root, 'here'), there: path.join(root, 'there') };
  const src = path.join(root, 'src');
  for (const dir of [src, views.here, views.there]) fs.mkdirSync(dir, { recursive: true });
  for (const view of [views.here, views.there]) {
    execFileSync('bindfs', ['-o', 'attr_timeout=0,entry_timeout=30,negative_timeout=30', src, view]);
    onTestFinished(() => void execFileSync('umount', [view]));
  }
  return views;
}
