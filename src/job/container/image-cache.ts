// Images fetched for slurmhop (enroot import, Apptainer pull) live in the
// state dir, one file per image, shared by later jobs. A file is written under
// a partial name and renamed, so a killed job never leaves one that looks whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runtimeFailed } from './failure.js';
import type { ExecResult } from './runner.js';

/** A short, stable name for an image (its reference, or what identifies its file). */
export const cacheName = (identity: string) => `slurmhop-${crypto.createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;

/** Runs `fetch` into a partial file unless `file` exists; callers hold the image's lock. */
export async function fetchOnce(file: string, what: string, fetch: (partial: string) => Promise<ExecResult>): Promise<string> {
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  removePartials(file);
  const partial = `${file}.partial-${process.pid}`;
  const result = await fetch(partial);
  if (result.exitCode !== 0) {
    fs.rmSync(partial, { force: true });
    throw runtimeFailed(what, result);
  }
  fs.renameSync(partial, file);
  return file;
}

/** Partial files of a job that was killed (SIGKILL leaves them). */
function removePartials(file: string): void {
  const prefix = `${path.basename(file)}.partial-`;
  for (const name of fs.readdirSync(path.dirname(file))) if (name.startsWith(prefix)) fs.rmSync(path.join(path.dirname(file), name), { force: true });
}
