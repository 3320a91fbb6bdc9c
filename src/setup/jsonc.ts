// JSONC (JSON with comments and trailing commas: VS Code's settings format),
// read and edited with jsonc-parser, the library VS Code uses for its own
// settings: an edit changes one property, and comments, order and formatting
// elsewhere stay as they were.
//
// The ESM build is imported by path: the package's `main` is a UMD wrapper
// whose inner require() calls esbuild (platform node, `main` first) does not
// follow, so a bundle of it would look for ./impl/*.js at run time.
import { applyEdits, findNodeAtLocation, format, modify, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main.js';

export class JsoncError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MESSAGES: Record<string, string> = {
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after a property name',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the settings object',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is not complete',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** The syntax tree, or undefined for a text of only comments and white space (VS Code reads that as no settings). */
function tree(text: string): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    const message = code === 'InvalidSymbol' ? `unexpected ${JSON.stringify(text[first.offset])}` : (MESSAGES[code] ?? code);
    throw new JsoncError(message, first.offset);
  }
  return root;
}

// A byte order mark is read as VS Code does, as nothing (jsonc-parser calls it
// an invalid symbol): the functions below work on the text after it, and
// offsets in errors are those of the whole text.
const BOM = '\uFEFF';

function withoutBom<T>(text: string, fn: (body: string) => T, wrap: (result: T) => T = (r) => r): T {
  if (!text.startsWith(BOM)) return fn(text);
  try {
    return wrap(fn(text.slice(1)));
  } catch (err) {
    if (err instanceof JsoncError) throw new JsoncError(err.message, err.offset + 1);
    throw err;
  }
}

/** The value of the root object; `{}` for a text of only comments and white space. Throws a JsoncError for anything else. */
export function parseJsonc(text: string): Record<string, unknown> {
  return withoutBom(text, parseObject);
}

function parseObject(text: string): Record<string, unknown> {
  const root = tree(text);
  if (!root) return {};
  if (root.type !== 'object') throw new JsoncError('the settings are not a JSON object', root.offset);
  checkUnique(root, text);
  return toValue(root) as Record<string, unknown>;
}

// VS Code reads the last of two equal property names, jsonc-parser's modify
// changes the first: a file with both is refused rather than edited wrong.
function checkUnique(node: Node, text: string): void {
  if (node.type === 'object') {
    const seen = new Map<string, number>();
    for (const prop of node.children ?? []) {
      const key = prop.children![0]!;
      const earlier = seen.get(key.value as string);
      if (earlier !== undefined) {
        throw new JsoncError(`${JSON.stringify(key.value)} is set twice (also on line ${position(text, earlier).split(':')[0]})`, key.offset);
      }
      seen.set(key.value as string, key.offset);
    }
  }
  for (const child of node.children ?? []) checkUnique(child, text);
}

function toValue(node: Node): unknown {
  if (node.type === 'object') return Object.fromEntries((node.children ?? []).map((p) => [p.children![0]!.value as string, toValue(p.children![1]!)]));
  if (node.type === 'array') return (node.children ?? []).map(toValue);
  return node.value;
}

/** Set `path` (property names from the root object) to `value`, creating parents (or replacing ones that are not objects) as needed. */
export function setJsoncProperty(text: string, path: string[], value: unknown): string {
  return withoutBom(text, (body) => setProperty(body, path, value), (out) => BOM + out);
}

function setProperty(text: string, path: string[], value: unknown): string {
  let root = tree(text);
  if (!root) {
    // Only comments: they stay, the settings object follows them.
    text = `${text}${/\n$/.test(text) ? '' : eolOf(text)}{}${eolOf(text)}`;
    root = tree(text)!;
  }
  if (root.type !== 'object') throw new JsoncError('the settings are not a JSON object', root.offset);
  // A parent that is there but is not an object is replaced by one.
  let at = path.length;
  for (let i = 1; i < path.length; i++) {
    const node = findNodeAtLocation(root, path.slice(0, i));
    if (node && node.type !== 'object') {
      at = i;
      break;
    }
  }
  const nested = path.slice(at).reduceRight<unknown>((v, k) => ({ [k]: v }), value);
  // modify() with formattingOptions would format every line the edit touches
  // (a one-line object before an insertion would be spread over lines): the
  // edit is made unformatted, then only the text it put in, and the white
  // space at its two ends, is formatted.
  const [edit] = modify(text, path.slice(0, at), nested, {});
  const edited = applyEdits(text, [edit!]);
  const indent = indentOf(text, root);
  // The range reaches the next token: modify() ends an insertion with "\n", which a CRLF file must not keep.
  let end = edit!.offset + edit!.content.length;
  while (end < edited.length && /\s/.test(edited[end]!)) end++;
  const range = { offset: edit!.offset - 1, length: end + 1 - (edit!.offset - 1) };
  return applyEdits(edited, format(edited, range, { insertSpaces: indent !== '\t', tabSize: indent === '\t' ? 4 : indent.length, eol: eolOf(text) }));
}

const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

/** The indentation the file uses: that of the root object's first property, else 4 spaces (VS Code's). */
function indentOf(text: string, root: Node): string {
  const first = root.children?.[0];
  if (first) {
    const lineStart = text.lastIndexOf('\n', first.offset) + 1;
    const ws = /^[ \t]*/.exec(text.slice(lineStart, first.offset))![0];
    if (lineStart > root.offset && ws) return ws.startsWith('\t') ? '\t' : ws;
  }
  return '    ';
}

/** 1-based line and column of an offset, for error messages. */
export function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Remove the property at `path` (comments elsewhere stay); the text unchanged when it is not there. */
export function removeJsoncProperty(text: string, path: string[]): string {
  return withoutBom(
    text,
    (body) => {
      const root = tree(body);
      if (!root || !findNodeAtLocation(root, path)) return body;
      return applyEdits(body, modify(body, path, undefined, {}));
    },
    (out) => BOM + out,
  );
}
