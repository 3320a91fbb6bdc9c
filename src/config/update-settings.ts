// The [update] section of config.ini: where releases come from and how often
// `remote proxy` looks for one in the background.
import { configError, type IniSection } from './ini-lines.js';

export const UPDATE_SECTION = 'update';

export interface UpdateSettings {
  /** A git URL or an absolute path of the release repository (tags vX.Y.Z); unset: no updates. */
  repository?: string;
  /** Background checks from `remote proxy` (the opt-out file turns them off too). */
  autoUpdate: boolean;
  /** Seconds between two background checks. */
  checkInterval: number;
}

export const UPDATE_DEFAULTS: UpdateSettings = { autoUpdate: true, checkInterval: 86_400 };

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];
// Git URLs (scheme://..., user@host:path) or an absolute path; never an option.
const REPOSITORY = /^([a-z][a-z0-9+.-]*:\/\/\S+|[^\s/:@-][^\s:]*@[^\s:]+:\S+|\/\S*)$/i;

export function readUpdateSettings(sections: IniSection[], file: string): UpdateSettings {
  const settings: UpdateSettings = { ...UPDATE_DEFAULTS };
  const section = sections.find((s) => s.name === UPDATE_SECTION);
  for (const { key, value, line } of section?.entries ?? []) {
    if (key === 'repository') {
      if (value === '') continue;
      if (!REPOSITORY.test(value)) {
        throw configError(file, line, `repository "${value}" is not a git URL or an absolute path`, 'e.g. file:///srv/slurmhop.git or https://git.example.org/slurmhop.git');
      }
      settings.repository = value;
    } else if (key === 'auto_update') {
      const v = value.toLowerCase();
      if (!TRUE.includes(v) && !FALSE.includes(v)) throw configError(file, line, `auto_update must be true or false, not "${value}"`);
      settings.autoUpdate = TRUE.includes(v);
    } else if (key === 'check_interval') {
      const m = /^(\d+)\s*([smhd]?)$/i.exec(value);
      const seconds = m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'] : NaN;
      if (!(seconds >= 60)) throw configError(file, line, `check_interval must be at least 60 seconds (e.g. 12h, 1d), not "${value}"`);
      settings.checkInterval = seconds;
    } else {
      throw configError(file, line, `unknown key "${key}" in [update]`, 'known keys: repository, auto_update, check_interval');
    }
  }
  return settings;
}
