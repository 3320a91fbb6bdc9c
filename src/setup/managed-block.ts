// The one place that edits an existing ssh config: find this cluster's block
// between its marker lines and replace, insert or remove exactly those lines.
// Every other byte of the file is copied unchanged.
import { setupError } from './errors.js';
import { splitLines, withEol, detectEol, type Eol } from './text-file.js';

const BEGIN = /^\s*# >>> slurmhop (\S+) >>>\s*$/;
const END = /^\s*# <<< slurmhop (\S+) <<<\s*$/;

export interface BlockSpan {
  /** Offsets of the first byte of the begin line and the first byte after the end line. */
  start: number;
  end: number;
  beginLine: number;
  endLine: number;
}

/** All slurmhop blocks, checked: every begin has its end, no nesting, one block per cluster. */
export function findBlocks(text: string, file: string): Map<string, BlockSpan> {
  const blocks = new Map<string, BlockSpan>();
  let open: { cluster: string; start: number; line: number } | undefined;
  const bad = (line: number, what: string, hint: string) => setupError('local-file', `${file}:${line}: ${what}`, `${hint}; nothing was written`);
  for (const line of splitLines(text)) {
    const begin = BEGIN.exec(line.text);
    const end = END.exec(line.text);
    if (begin) {
      if (open) throw bad(line.no, `a slurmhop block starts inside the block for "${open.cluster}" (line ${open.line}), which has no end marker`, `restore "# <<< slurmhop ${open.cluster} <<<" or remove the broken block by hand`);
      if (blocks.has(begin[1]!)) throw bad(line.no, `a second slurmhop block for "${begin[1]}" (the first is at line ${blocks.get(begin[1]!)!.beginLine})`, 'remove one of them by hand');
      // A byte-order mark before the marker belongs to the file, not to the block.
      open = { cluster: begin[1]!, start: line.start + (line.text.startsWith('\uFEFF') ? 1 : 0), line: line.no };
    } else if (end) {
      if (!open) throw bad(line.no, `an end marker for "${end[1]}" without its begin marker`, `restore "# >>> slurmhop ${end[1]} >>>" above the block, or remove the block by hand`);
      if (end[1] !== open.cluster) throw bad(line.no, `the block for "${open.cluster}" (line ${open.line}) ends with the marker of "${end[1]}"`, 'fix the marker by hand');
      blocks.set(open.cluster, { start: open.start, end: line.next, beginLine: open.line, endLine: line.no });
      open = undefined;
    }
  }
  if (open) throw bad(open.line, `the slurmhop block for "${open.cluster}" has no end marker`, `restore "# <<< slurmhop ${open.cluster} <<<" after it, or remove the broken block by hand`);
  return blocks;
}

export interface BlockEdit {
  text: string;
  /** Where the old block was (undefined: none); the new block starts at `span.start` either way. */
  old?: BlockSpan | undefined;
  insertedAt: number;
}

/**
 * Replace the cluster's block with `block` (its text with `\n` endings), or
 * remove it when `block` is undefined. A new block goes first in the file, so
 * that its settings come before any `Host *` (OpenSSH takes the first value);
 * after a byte-order mark, if the file has one.
 */
export function setBlock(text: string, file: string, cluster: string, block: string | undefined, fallbackEol: Eol = '\n'): BlockEdit {
  const old = findBlocks(text, file).get(cluster);
  const eol = detectEol(text, fallbackEol);
  const body = block === undefined ? '' : withEol(block, eol);
  if (old) return { text: text.slice(0, old.start) + body + text.slice(old.end), old, insertedAt: old.start };
  if (block === undefined) return { text, insertedAt: 0 };
  const at = text.startsWith('\uFEFF') ? 1 : 0;
  return { text: text.slice(0, at) + body + text.slice(at), insertedAt: at };
}
