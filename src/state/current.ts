// The user's current session: what `remote proxy --current` (the `Host <prefix>`
// alias) connects to. Set when a connect submits a job, by `alloc` and `swap`.
import path from 'node:path';
import { readFileOrUndefined, writeFileAtomic } from '../fsutil.js';

export interface Current {
  profile: string;
  jobId: string;
}

/** The file (the front of `remote` reads it too: front/). */
export const currentFile = (state: string) => path.join(state, 'current');

export function readCurrent(state: string): Current | undefined {
  try {
    const value = JSON.parse(readFileOrUndefined(currentFile(state)) ?? 'null') as Current | null;
    return value && typeof value.profile === 'string' && typeof value.jobId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeCurrent(state: string, current: Current): void {
  writeFileAtomic(currentFile(state), `${JSON.stringify(current)}\n`);
}
