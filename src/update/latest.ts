// `remote check`: the newest release in the repository, compared with the running copy. Installs nothing.
import type { UpdateDeps } from './deps.js';
import { compareVersions } from './semver.js';
import { errorText } from './updater.js';

export type Latest = { latest: string | undefined; newer: boolean } | { why: string };

export async function checkLatest(deps: Pick<UpdateDeps, 'settings' | 'source' | 'running'>): Promise<Latest> {
  const url = deps.settings.repository;
  if (!url) return { why: 'no release repository: set "repository" in the [update] section of config.ini' };
  let versions: string[];
  try {
    versions = await deps.source(url).listVersions();
  } catch (err) {
    return { why: `cannot read the release repository ${url}: ${errorText(err)}` };
  }
  const latest = versions[0];
  return { latest, newer: latest !== undefined && compareVersions(latest, deps.running.version) > 0 };
}
