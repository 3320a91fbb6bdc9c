// While a job starts, it may take minutes to make itself ready (a first image
// import): the lines it marks as progress in its output are shown to the
// waiting user, each once.
import fs from 'node:fs';
import { withOpenFile } from '../fsutil.js';
import { formatEvent, PREFIX } from '../log.js';

/** How the job's `preparing` events start in its output (see job/container). */
export const PROGRESS_MARK = PREFIX + formatEvent({ type: 'preparing', message: '' });

/** Returns a poll function: the progress lines added to `file` since the last call. */
export function followProgress(file: string): () => string[] {
  let offset = 0;
  let partial = '';
  return () =>
    withOpenFile(file, (fd) => {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return [];
      const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
      const read = fs.readSync(fd, buffer, 0, buffer.length, offset);
      offset += read;
      const lines = (partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      return lines.filter((l) => l.startsWith(PROGRESS_MARK)).map((l) => l.slice(PROGRESS_MARK.length));
    }) ?? []; // not written yet, or gone
}
