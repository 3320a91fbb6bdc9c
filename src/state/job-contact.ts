// A job's contact as any login node can know it: the contact file, or, where
// this host cannot see that file yet (a network home caches a lookup that
// found it missing), the contact its ready event carried. Never an ended
// run's contact.
import { readContact, type Contact } from './contact.js';
import { endOf, readStatus, readyContactOf, watchJob } from './status.js';

export function jobContact(state: string, jobId: string): Contact | undefined {
  const file = readContact(state, jobId);
  if (file) return file;
  watchJob(state, jobId, false);
  const events = readStatus(state, jobId);
  return endOf(events) ? undefined : readyContactOf(events);
}
