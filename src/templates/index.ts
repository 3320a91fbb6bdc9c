export { renderJobScript, sbatchArgs } from './job-script.js';
export { renderSshdConfig, PER_SOURCE_MAX_STARTUPS, type SshdFeatures } from './sshd-config.js';
export { shellQuote, sshdConfigQuote } from './render.js';
