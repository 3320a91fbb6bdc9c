// The laptop's files are planned minutes before they are written (the upload
// comes in between): each is written only if it is still what the plan read,
// under its lock; one that changed meanwhile (an editor, a second setup for
// another cluster) makes the whole plan again from what is there now, so that
// nothing written in between is lost.
import { setupError } from './errors.js';
import { applyIfUnchanged, ChangedMeanwhile, type FileChange } from './local-files.js';
import type { Report } from './report.js';

const TRIES = 5;

export function writePlanned(plan: () => FileChange[], now: Date, report: Report): void {
  for (let attempt = 1; ; attempt++) {
    try {
      for (const c of plan()) {
        const done = applyIfUnchanged(c, now);
        if (done) report({ type: 'done', message: `${c.after === undefined ? 'removed' : 'wrote'} ${c.file}${done.backup ? ` (backup: ${done.backup})` : ''}` });
        else if (attempt === 1) report({ type: 'skip', message: c.file });
      }
      return;
    } catch (err) {
      if (!(err instanceof ChangedMeanwhile)) throw err;
      if (attempt >= TRIES) throw setupError('write', `${err.file} kept changing while setup wrote it (${TRIES} times)`, 'close what edits it, then run setup again (it changes only what is missing)');
      report({ type: 'info', message: `${err.file} changed while setup ran: planned again from what is there now` });
    }
  }
}
