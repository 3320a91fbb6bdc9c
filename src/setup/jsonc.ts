// A small JSONC (JSON with comments and trailing commas, VS Code's settings
// format) reader that keeps offsets, and an editor that changes one property
// by splicing text: comments, order and formatting elsewhere are untouched.

export type JsonNode =
  | { kind: 'object'; start: number; end: number; members: Member[] }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'value'; start: number; end: number; value: unknown };

export interface Member {
  key: string;
  start: number;
  value: JsonNode;
  /** Offset just after the member's comma, if it has one. */
  commaEnd?: number | undefined;
}

export class JsoncError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function parseJsonc(text: string): JsonNode {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsoncError(what, i);
  };
  const skip = () => {
    for (;;) {
      while (i < text.length && /[\s\uFEFF]/.test(text[i]!)) i++;
      if (text.startsWith('//', i)) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('a /* comment is not closed');
        i = end + 2;
      } else return;
    }
  };
  const value = (): JsonNode => {
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members: Member[] = [];
      for (;;) {
        skip();
        if (text[i] === '}') break;
        if (text[i] !== '"') fail('expected a property name in double quotes or "}"');
        const keyNode = value();
        skip();
        if (text[i] !== ':') fail('expected ":" after a property name');
        i++;
        const v = value();
        const member: Member = { key: (keyNode as { value: string }).value, start: keyNode.start, value: v };
        members.push(member);
        skip();
        if (text[i] === ',') {
          i++;
          member.commaEnd = i;
          continue;
        }
        skip();
        if (text[i] !== '}') fail('expected "," or "}"');
      }
      i++;
      return { kind: 'object', start, end: i, members };
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      for (;;) {
        skip();
        if (text[i] === ']') break;
        items.push(value());
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] !== ']') fail('expected "," or "]"');
      }
      i++;
      return { kind: 'array', start, end: i, items };
    }
    const m = /^(?:"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) fail('expected a value');
    i += m![0].length;
    return { kind: 'value', start, end: i, value: JSON.parse(m![0]) };
  };
  const root = value();
  skip();
  if (i < text.length) fail('unexpected text after the settings object');
  return root;
}

export function toValue(node: JsonNode): unknown {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'array') return node.items.map(toValue);
  return Object.fromEntries(node.members.map((m) => [m.key, toValue(m.value)]));
}

/** Set `path` (property names from the root object) to `value`, creating parents as needed. */
export function setJsoncProperty(text: string, path: string[], value: unknown): string {
  const root = parseJsonc(text);
  if (root.kind !== 'object') throw new JsoncError('the settings are not a JSON object', root.start);
  return setIn(text, root, path, value, 1, indentUnit(text, root));
}

type ObjectNode = Extract<JsonNode, { kind: 'object' }>;

function setIn(text: string, obj: ObjectNode, path: string[], value: unknown, depth: number, unit: string): string {
  const [key, ...rest] = path as [string, ...string[]];
  const existing = [...obj.members].reverse().find((m) => m.key === key); // VS Code uses the last one
  if (existing) {
    if (rest.length && existing.value.kind === 'object') return setIn(text, existing.value, rest, value, depth + 1, unit);
    const json = format(rest.length ? nest(rest, value) : value, unit, depth);
    return text.slice(0, existing.value.start) + json + text.slice(existing.value.end);
  }
  const member = `${JSON.stringify(key)}: ${format(rest.length ? nest(rest, value) : value, unit, depth)}`;
  const pad = unit.repeat(depth);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const last = obj.members[obj.members.length - 1];
  if (!last) {
    return `${text.slice(0, obj.start + 1)}${eol}${pad}${member}${eol}${unit.repeat(depth - 1)}${text.slice(obj.end - 1)}`;
  }
  if (last.commaEnd !== undefined) {
    return `${text.slice(0, last.commaEnd)}${eol}${pad}${member},${text.slice(last.commaEnd)}`;
  }
  return `${text.slice(0, last.value.end)},${eol}${pad}${member}${text.slice(last.value.end)}`;
}

function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((v, k) => ({ [k]: v }), value);
}

function format(value: unknown, unit: string, depth: number): string {
  return JSON.stringify(value, null, unit).replace(/\n/g, `\n${unit.repeat(depth)}`);
}

/** The indentation the file uses: that of the first member of the root object, else 4 spaces (VS Code's). */
function indentUnit(text: string, obj: ObjectNode): string {
  const first = obj.members[0];
  if (first) {
    const lineStart = text.lastIndexOf('\n', first.start) + 1;
    const ws = /^[ \t]*/.exec(text.slice(lineStart, first.start))![0];
    if (ws && lineStart > obj.start) return ws;
  }
  return '    ';
}

/** 1-based line and column of an offset, for error messages. */
export function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}
