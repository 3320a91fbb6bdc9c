export { runJob, defaultJobContext, type JobContext } from './run.js';
export type { ContainerSettings } from './container/index.js';
export { sessionEnvironment } from './environment.js';
export { ensureHostKey } from './hostkey.js';
export { findSshd, pickFreePort } from './sshd.js';
