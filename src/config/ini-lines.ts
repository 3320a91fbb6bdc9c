// A line-oriented INI reader that remembers where each value came from, so
// every configuration error can name the file and the line.
import { SlurmhopError } from '../errors.js';

export interface IniEntry {
  key: string;
  value: string;
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  entries: IniEntry[];
}

export function configError(file: string, line: number | undefined, message: string, hint?: string): SlurmhopError {
  const where = line === undefined ? file : `${file}:${line}`;
  return new SlurmhopError('config', `${where}: ${message}`, hint);
}

const SECTION = /^\[\s*([^\]]+?)\s*\]$/;
const ENTRY = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;

/**
 * Comments are whole lines starting with `#` or `;`; a value may be wrapped in
 * double quotes to keep leading/trailing spaces. There are no inline comments,
 * so `env_setup = module load x; source y` keeps its semicolon.
 */
export function parseIni(text: string, file: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = SECTION.exec(line);
    if (section) {
      const name = section[1]!;
      if (sections.some((s) => s.name === name)) {
        throw configError(file, lineNo, `section [${name}] appears twice`, 'merge the two sections into one');
      }
      current = { name, line: lineNo, entries: [] };
      sections.push(current);
      return;
    }
    const entry = ENTRY.exec(line);
    if (!entry) {
      throw configError(file, lineNo, `cannot read this line: ${JSON.stringify(raw)}`, 'expected "[section]", "key = value" or a comment starting with #');
    }
    if (!current) {
      throw configError(file, lineNo, `"${entry[1]}" is outside any section`, 'put it under a [profile.NAME] or [defaults] section');
    }
    const key = entry[1]!.toLowerCase();
    if (current.entries.some((e) => e.key === key)) {
      throw configError(file, lineNo, `"${key}" is set twice in [${current.name}]`, 'keep one of the two lines');
    }
    current.entries.push({ key, value: unquote(entry[2]!, file, lineNo), line: lineNo });
  });
  return sections;
}

function unquote(value: string, file: string, line: number): string {
  if (!value.startsWith('"')) return value;
  if (value.length < 2 || !value.endsWith('"')) {
    throw configError(file, line, 'a quoted value has no closing double quote', 'end the value with "');
  }
  return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
}
