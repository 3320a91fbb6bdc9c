// Load config.ini into validated profiles. A missing file is not an error:
// the built-in profiles work on any cluster with a default partition.
import fs from 'node:fs';
import { SlurmhopError } from '../errors.js';
import { configFile } from '../paths.js';
import { configError, parseIni, type IniEntry } from './ini-lines.js';
import { buildProfile, PROFILE_NAME, type Profile } from './profile.js';
import { readUpdateSettings, UPDATE_DEFAULTS, UPDATE_SECTION, type UpdateSettings } from './update-settings.js';

export interface Config {
  file: string;
  /** False when the file does not exist and the built-in profiles are used. */
  exists: boolean;
  profiles: Map<string, Profile>;
  /** The [update] section (the updater's settings). */
  update: UpdateSettings;
}

const BUILT_IN: Record<string, IniEntry[]> = {
  cpu: [],
  gpu: [{ key: 'gres', value: 'gpu:1', line: 0 }],
};

export function loadConfig(file = configFile()): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw configError(file, undefined, `cannot read: ${(err as Error).message}`);
    }
    const profiles = new Map(Object.entries(BUILT_IN).map(([name, entries]) => [name, buildProfile(name, entries, '(built-in)')]));
    return { file, exists: false, profiles, update: { ...UPDATE_DEFAULTS } };
  }
  return { file, exists: true, profiles: parseConfig(text, file), update: readUpdateSettings(parseIni(text, file), file) };
}

export function parseConfig(text: string, file: string): Map<string, Profile> {
  const sections = parseIni(text, file);
  const defaults = sections.find((s) => s.name === 'defaults')?.entries ?? [];
  const profiles = new Map<string, Profile>();
  for (const section of sections) {
    if (section.name === 'defaults' || section.name === UPDATE_SECTION) continue;
    const m = /^profile\.(.*)$/.exec(section.name);
    if (!m) {
      throw configError(file, section.line, `unknown section [${section.name}]`, 'sections are [defaults], [profile.NAME] and [update]');
    }
    const name = m[1]!;
    if (!PROFILE_NAME.test(name)) {
      throw configError(file, section.line, `profile name "${name}" is not allowed`, 'use lower-case letters, digits, - and _ (at most 32)');
    }
    const own = new Set(section.entries.map((e) => e.key));
    const merged = [...defaults.filter((e) => !own.has(e.key)), ...section.entries];
    profiles.set(name, buildProfile(name, merged, file));
  }
  // Validate [defaults] on its own too, so a typo there is reported even without profiles.
  buildProfile('defaults', defaults, file);
  return profiles;
}

export function getProfile(config: Config, name: string): Profile {
  const profile = config.profiles.get(name);
  if (profile) return profile;
  const known = [...config.profiles.keys()].join(', ') || '(none)';
  const source = config.exists ? config.file : `the built-in profiles (${config.file} does not exist)`;
  throw new SlurmhopError('config', `unknown profile "${name}": ${source} defines ${known}`, `add a [profile.${name}] section to ${config.file}`);
}
