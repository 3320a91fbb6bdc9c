// The on-disk contract between the two roles of the one binary: what the job
// on the node writes and the login node reads (contact, status events), what
// the login node keeps (submitted, current, waiters), the one lock both use,
// and the SSH banner probe both sides rely on.
export { readContact, writeContact, indexContact, removeContact, contactsForProfile, allContacts, contactFiles, liveJobIds, liveProfiles, type Contact, CONTACT_VERSION } from './contact.js';
export { keepAlive, supervisorAlive, STALE_AFTER_MS } from './alive.js';
export { jobContact } from './job-contact.js';
export { pruneEndedJobs, prunableJobs, pruneJob, pruneLock, readArchive, RETENTION_MS, type Archived, type PruneRules } from './prune.js';
export { appendStatus, recordSubmitted, hasSubmittedRecord, readStatus, endedEvent, endOf, readyContactOf, watchJob, describeEnd, describeMemoryKills, statusSize, statusSince, type StatusEvent, type JobEvent, type EndReason, type Submitted, type ChainLink } from './status.js';
export { readCurrent, writeCurrent, currentFile, type Current } from './current.js';
export { joinWaiters, type Waiter } from './waiters.js';
export { withLock, acquireLock, tryLock, describeHolder, processExists, type Release } from './lock.js';
export { bannerSoftware, readBanner, BANNER_TIMEOUT_MS } from './banner.js';
export { connectTcp } from './tcp.js';
