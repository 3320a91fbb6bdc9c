export { renderJobScript, sbatchArgs } from './job-script.js';
export { renderSshdConfig } from './sshd-config.js';
export { shellQuote, sshdConfigQuote } from './render.js';
