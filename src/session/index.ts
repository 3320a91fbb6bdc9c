export { openSession, type Stdio } from './open.js';
export { defaultSessionContext, type SessionContext } from './context.js';
export { acquireJob, pickExisting } from './acquire.js';
export { readContact, writeContact, removeContact, contactsForProfile, type Contact, CONTACT_VERSION } from './contact.js';
export { appendStatus, recordSubmitted, readStatus, endedEvent, describeEnd, type StatusEvent, type EndReason } from './status.js';
export { withLock, processExists } from './lock.js';
export { listSessionJobs, type SessionJob } from './jobs.js';
export { whySessionEnded } from './explain-end.js';
