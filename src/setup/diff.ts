// A unified diff of two texts, for --dry-run. Common leading and trailing
// lines are cut first, so the LCS table only covers the changed middle.
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const a = toLines(oldText);
  const b = toLines(newText);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops = middleOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf));
  const all: Op[] = [
    ...a.slice(0, pre).map((l) => ({ t: ' ', l }) as Op),
    ...ops,
    ...a.slice(a.length - suf).map((l) => ({ t: ' ', l }) as Op),
  ];
  return `--- ${oldName}\n+++ ${newName}\n${hunks(all, context)}`;
}

interface Op {
  t: ' ' | '-' | '+';
  l: string;
}

function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function middleOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ t: ' ', l: a[i++]! });
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ t: '+', l: b[j++]! });
    } else {
      ops.push({ t: '-', l: a[i++]! });
    }
  }
  // Removed lines before added ones within a change, as diff(1) shows them.
  for (let k = 0; k < ops.length; ) {
    let e = k;
    while (e < ops.length && ops[e]!.t !== ' ') e++;
    if (e > k) ops.splice(k, e - k, ...ops.slice(k, e).filter((o) => o.t === '-'), ...ops.slice(k, e).filter((o) => o.t === '+'));
    k = e + 1;
  }
  return ops;
}

function hunks(ops: Op[], context: number): string {
  const changed = ops.map((o, i) => (o.t === ' ' ? -1 : i)).filter((i) => i >= 0);
  let out = '';
  let k = 0;
  while (k < changed.length) {
    let first = changed[k]!;
    let last = first;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * context) last = changed[++k]!;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length, last + context + 1);
    let oldStart = 1;
    let newStart = 1;
    for (let i = 0; i < from; i++) {
      if (ops[i]!.t !== '+') oldStart++;
      if (ops[i]!.t !== '-') newStart++;
    }
    const slice = ops.slice(from, to);
    const oldLen = slice.filter((o) => o.t !== '+').length;
    const newLen = slice.filter((o) => o.t !== '-').length;
    out += `@@ -${oldLen ? oldStart : oldStart - 1},${oldLen} +${newLen ? newStart : newStart - 1},${newLen} @@\n`;
    out += slice.map((o) => `${o.t}${o.l}\n`).join('');
    first = last;
  }
  return out;
}
