// Split a config value into words the way a POSIX shell would (quotes and
// backslashes), without running anything.
import { configError } from './ini-lines.js';

export function splitShellWords(input: string, at: { file: string; line: number }): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) word += input[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < input.length) {
      word += input[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw configError(at.file, at.line, `unbalanced ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
