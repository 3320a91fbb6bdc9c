// How to run this program again (the job script, the relay hand-off, the updater).
import path from 'node:path';

/** The single executable is its own command; the bundle needs node in front of it. */
export function selfCommand(): string[] {
  const script = process.argv[1];
  const isBundle = script !== undefined && script !== process.execPath && /\.c?js$/.test(script);
  return isBundle ? [process.execPath, path.resolve(script)] : [process.execPath];
}
