// Light helpers shared by the updater and the proxy's warm path (which must not
// load git or the rest of the updater).
import { loadConfig, type Config } from '../config/index.js';

/** A user's NODE_OPTIONS is for their own Node, never for ours or our children. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean = { ...env };
  delete clean.NODE_OPTIONS;
  return clean;
}

export function loadSettings(): Config['update'] {
  return loadConfig().update;
}
