// File modes and owners in words, for the checks of private files and directories.
import fs from 'node:fs';

export const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

export type Stat = fs.Stats | undefined;

/** lstat, or undefined when the path does not exist. */
export function lstatOrUndefined(file: string): Stat {
  try {
    return fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** "group and others can read/write it" for the bits `mask` selects, or undefined. */
export function whoElse(mode: number, mask: number): string | undefined {
  const bits = mode & mask;
  if (!bits) return undefined;
  const who = [bits & 0o070 ? 'your group' : '', bits & 0o007 ? 'others' : ''].filter(Boolean).join(' and ');
  const what = [bits & 0o044 ? 'read' : '', bits & 0o022 ? 'write' : '', bits & 0o011 ? 'enter' : ''].filter(Boolean);
  return `${who} can ${what.join('/')} it`;
}
