// Quoting for the laptop's ssh config, per layer: OpenSSH's config reader
// (argv_split: " ' \ and %-tokens), then, for ProxyCommand only, /bin/sh -c on
// Linux and macOS, or CreateProcessW's command-line rules on Windows.
import { shellQuote } from './render.js';

export type SshPlatform = 'linux' | 'darwin' | 'win32';

/** %-tokens are expanded in ProxyCommand, IdentityFile, UserKnownHostsFile, ControlPath. */
export const escapePercent = (s: string) => s.replace(/%/g, '%%');

/** Characters no layer can carry safely: refused with a clear message instead of written wrongly. */
export function unsafeCharacter(value: string, platform: SshPlatform): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) return 'a control character (newline, tab, ...)';
  if (platform !== 'win32' && value.includes('\\')) return 'a backslash';
  if (value.includes('"')) return 'a double quote';
  return undefined;
}

/**
 * One argument of a directive that OpenSSH splits itself (IdentityFile,
 * UserKnownHostsFile, ControlPath): `\`, `"` and `'` are backslash-escaped
 * (argv_split's escapes, valid inside and outside double quotes); the ssh-config
 * package adds the double quotes around values with spaces. Windows paths are
 * written with forward slashes, which OpenSSH for Windows reads like backslashes.
 */
export function configArg(value: string, platform: SshPlatform): string {
  const v = platform === 'win32' ? value.replace(/\\/g, '/') : value;
  return v.replace(/[\\"']/g, (c) => `\\${c}`);
}

/**
 * A word for a Windows command line (CommandLineToArgvW / the MSVC runtime):
 * double quotes when it has spaces or quotes, backslashes doubled only before a
 * quote. A `'` is quoted too: OpenSSH's config reader would take it for an
 * unbalanced quote even though Windows does not.
 */
export function winWord(word: string): string {
  if (word !== '' && !/[\s"']/.test(word)) return word;
  let out = '"';
  let slashes = 0;
  for (const c of word) {
    if (c === '\\') {
      slashes++;
      continue;
    }
    out += c === '"' ? '\\'.repeat(slashes * 2 + 1) + c : '\\'.repeat(slashes) + c;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The ProxyCommand line: words quoted for the platform's way of running it, then %-escaped. */
export function proxyCommand(words: string[], platform: SshPlatform): string {
  const quote = platform === 'win32' ? winWord : shellQuote;
  return escapePercent(words.map(quote).join(' '));
}

/**
 * A command OpenSSH runs itself, without a shell (KnownHostsCommand): split
 * by argv_split, so each word is escaped as for a path and double-quoted when
 * it has spaces; the arguments are %-escaped (the caller appends its own
 * %-tokens), the program is not: OpenSSH expands tokens in the arguments only.
 */
export function argvCommand(words: string[], platform: SshPlatform): string {
  return words
    .map((w, i) => {
      const arg = i === 0 ? configArg(w, platform) : escapePercent(configArg(w, platform));
      return arg === '' || /\s/.test(arg) ? `"${arg}"` : arg;
    })
    .join(' ');
}
