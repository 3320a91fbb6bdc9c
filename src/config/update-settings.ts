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
// Tokens that forges accept as the user name alone (GitHub's, GitLab's).
const TOKEN_USER = /^(gh[pousr]_|github_pat_|glpat-)/;

export const CREDENTIAL_HELP = 'put the URL there without it and let a git credential helper supply the secret (git config --global credential.helper store, cache or your site\'s helper; see "git help credentials")';

/**
 * The URL with its secret starred out, when it carries one: a password or
 * token in scheme://user:secret@host (what git's transfer.credentialsInUrl
 * calls credentials), or a forge token given as the user name. Git gets the
 * URL on its command line, which every user of the login node can read in /proc.
 */
export function redactCredentials(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i.exec(url);
  if (!m) return undefined;
  const userinfo = m[2]!;
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  if (colon === -1 && !TOKEN_USER.test(decodeSafely(user))) return undefined;
  const shown = colon === -1 ? '***' : `${user}:***`;
  return `${m[1]}${shown}@${url.slice(m[0].length)}`;
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function readUpdateSettings(sections: IniSection[], file: string): UpdateSettings {
  const settings: UpdateSettings = { ...UPDATE_DEFAULTS };
  const section = sections.find((s) => s.name === UPDATE_SECTION);
  for (const { key, value, line } of section?.entries ?? []) {
    if (key === 'repository') {
      if (value === '') continue;
      const redacted = redactCredentials(value);
      if (redacted !== undefined) {
        throw configError(file, line, `repository "${redacted}" carries a password or token: git would get it on its command line, where every user of this login node can read it`, CREDENTIAL_HELP);
      }
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
