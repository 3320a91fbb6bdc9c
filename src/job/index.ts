export { runJob } from './run.js';
export { defaultJobContext, type JobContext, type JobSettings } from './context.js';
export type { ContainerSettings } from './container/index.js';
export { sessionEnvironment } from './environment.js';
export { ensureHostKey } from './hostkey.js';
export { findSshd, pickFreePort } from './sshd.js';
