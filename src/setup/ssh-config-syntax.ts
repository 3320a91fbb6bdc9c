// What OpenSSH itself would refuse in a config file, with the line: a file it
// cannot read is never rewritten. The ssh-config package checks each line too
// (lines are independent in ssh_config's grammar).
import SSHConfig from 'ssh-config';
import { setupError } from './errors.js';
import { splitLines } from './text-file.js';

export function checkSshConfigSyntax(text: string, file: string): void {
  for (const line of splitLines(text)) {
    const body = line.text.replace(/^\uFEFF/, '').trim();
    if (body === '' || body.startsWith('#')) continue;
    const fail = (what: string, hint = 'fix that line (or move the file away); nothing was written') => {
      throw setupError('local-file', `${file}:${line.no}: ${what}`, hint);
    };
    if (!quotesBalanced(body)) fail(`unbalanced quotes: ${JSON.stringify(line.text)}`);
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)?(.*)$/.exec(body);
    if (!m) fail(`not "Keyword value": ${JSON.stringify(line.text)}`);
    if (m![2]!.trim() === '') fail(`"${m![1]}" has no value`);
    try {
      SSHConfig.parse(`${line.text}\n`);
    } catch (err) {
      fail(`cannot parse: ${(err as Error).message}`);
    }
  }
}

/** OpenSSH's argv_split: ' and " quote, a backslash escapes \ ' " (and a space outside quotes). */
export function quotesBalanced(s: string): boolean {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === "'" || s[i + 1] === '"' || s[i + 1] === '\\' || (quote === '' && s[i + 1] === ' '))) {
      i++;
    } else if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) {
      return true; // the rest is a comment
    }
  }
  return quote === '';
}
