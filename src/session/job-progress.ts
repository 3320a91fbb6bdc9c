// While a job starts, it may take minutes to make itself ready (a first image
// import): the lines it marks as progress in its output are shown to the
// waiting user, each once.
import fs from 'node:fs';

/** How the job marks a line for the waiting user (see job/container). */
export const PROGRESS_MARK = 'slurmhop: preparing: ';

/** Returns a poll function: the progress lines added to `file` since the last call. */
export function followProgress(file: string): () => string[] {
  let offset = 0;
  let partial = '';
  return () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return []; // not written yet
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= offset) return [];
      const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
      const read = fs.readSync(fd, buffer, 0, buffer.length, offset);
      offset += read;
      const lines = (partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      return lines.filter((l) => l.startsWith(PROGRESS_MARK)).map((l) => l.slice(PROGRESS_MARK.length));
    } finally {
      fs.closeSync(fd);
    }
  };
}
