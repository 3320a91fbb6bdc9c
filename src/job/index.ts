export { runJob, defaultJobContext, type JobContext } from './run.js';
export { sessionEnvironment } from './environment.js';
export { ensureHostKey } from './hostkey.js';
export { findSshd, pickFreePort } from './sshd.js';
