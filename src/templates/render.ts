// Fill `{{name}}` placeholders; a placeholder without a value is a bug, not a blank.
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return value;
  });
}

/**
 * Quote a word for POSIX sh: single quotes unless it is plainly safe. `%` is
 * not plainly safe: an ssh config expands it, so such a word is quoted there too.
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quote a word for sshd_config. Old and new OpenSSH read `"..."` alike only
 * when the word has no `"`, `\` or `#`: callers must not pass those.
 */
export function sshdConfigQuote(word: string): string {
  if (/["\\#\x00-\x1f\x7f]/.test(word)) throw new Error(`cannot be written to sshd_config safely: ${JSON.stringify(word)}`);
  return `"${word}"`;
}
