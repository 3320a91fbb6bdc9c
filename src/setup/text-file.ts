// Reading a text file exactly: the bytes decode to a string and encode back to
// the same bytes (a BOM is kept as a character), so what the wizard does not
// change survives byte for byte.
import { setupError } from './errors.js';

export type Eol = '\n' | '\r\n';

export function decodeText(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const line = firstInvalidLine(bytes);
    throw setupError('local-file', `${file}:${line}: not UTF-8 text`, 'fix or remove the bytes on that line; nothing was written');
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) throw setupError('local-file', `${file}:${lineAt(text, nul)}: a NUL byte (is this a text file?)`, 'nothing was written');
  return text;
}

/** The line ending most lines use; a file without any uses the platform's. */
export function detectEol(text: string, fallback: Eol): Eol {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  if (crlf === 0 && lf === 0) return fallback;
  return crlf > lf ? '\r\n' : '\n';
}

export const withEol = (text: string, eol: Eol) => (eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n'));

/** 1-based line number of a string offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Lines with their start offsets; `end` excludes the line ending, `next` is the next line's start. */
export function splitLines(text: string): Array<{ text: string; start: number; end: number; next: number; no: number }> {
  const out = [];
  let start = 0;
  let no = 1;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const next = nl < 0 ? text.length : nl + 1;
    let end = nl < 0 ? text.length : nl;
    if (end > start && text[end - 1] === '\r') end--;
    out.push({ text: text.slice(start, end), start, end, next, no: no++ });
    start = next;
  }
  return out;
}

function firstInvalidLine(bytes: Uint8Array): number {
  let lineStart = 0;
  let line = 1;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(lineStart, i));
      } catch {
        return line;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return line;
}
