export { openSession, type Stdio } from './open.js';
export { defaultSessionContext, type SessionContext } from './context.js';
export { acquireJob, pickExisting } from './acquire.js';
export { listSessionJobs, forgetEndedContacts, chainLinks, withTheirChains, type SessionJob, type ChainLinks } from './jobs.js';
export { whySessionEnded } from './explain-end.js';
export type { SessionEnd } from './explain-end.js';
export { allocate, swap, withCarriedConstraints } from './swap.js';
export { knownHostsLines, isKnownHostsName } from './known-hosts.js';
