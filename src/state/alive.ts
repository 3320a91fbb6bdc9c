// The supervisor's liveness mark: `remote job` rewrites jobs/<id>/alive every
// few seconds while it runs, so the login node can tell a contact whose job
// died uncleanly (its supervisor killed, the node lost) without asking the
// scheduler. The file server stamps each rewrite; a login node whose clock is
// off by more than STALE_AFTER_MS merely takes the cold path (one squeue),
// which then decides.
import fs from 'node:fs';
import { withOpenFile } from '../fsutil.js';
import { aliveFile, contactFile } from '../paths.js';
import { writeContact, type Contact } from './contact.js';

export const ALIVE_REFRESH_MS = 3_000;
export const STALE_AFTER_MS = 15_000;

/**
 * Starts the mark, before the contact is published: a login node that finds
 * the contact then finds its mark too (on a network home, a lookup of the
 * mark made before it existed would stay missing there for a while). The
 * returned function stops it and removes the file. The contact is the live
 * job's own to publish: one a login node removed (a banner it misread) is
 * written again with the next beat.
 */
export function keepAlive(state: string, contact: Contact, refreshMs = ALIVE_REFRESH_MS): () => void {
  const file = aliveFile(state, contact.jobId);
  let beats = 0;
  const mark = () => fs.writeFileSync(file, `${beats++}\n`, { mode: 0o600 });
  const beat = () => {
    try {
      mark();
      if (!fs.existsSync(contactFile(state, contact.jobId))) writeContact(state, contact);
    } catch {
      // a full or unreachable home: the mark goes stale, and the login node asks the scheduler
    }
  };
  try {
    mark();
  } catch {
    // as in beat()
  }
  const timer = setInterval(beat, refreshMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    fs.rmSync(file, { force: true });
  };
}

/** Whether the job's supervisor has touched its mark lately (open + fstat: NFS revalidates on open). */
export function supervisorAlive(state: string, jobId: string, now: number = Date.now()): boolean {
  return withOpenFile(aliveFile(state, jobId), (fd) => now - fs.fstatSync(fd).mtimeMs < STALE_AFTER_MS) ?? false;
}
