// Light helpers shared by the updater and the proxy's warm path (which must not
// load git or the rest of the updater).
import { loadConfig, type Config } from '../config/index.js';

export { childEnv } from './child-env.js';

export function loadSettings(): Config['update'] {
  return loadConfig().update;
}
