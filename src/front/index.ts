// The front of `remote` (render.ts): its text, and keeping the installed one current.
export { FRONT_MARK, renderFront } from './render.js';
export { installedRoot, refreshFront, type Refreshed } from './refresh.js';
