// The only writers of stdout outside the proxy's relay.

let stdoutIsStream = false;

export function print(text = ''): void {
  if (stdoutIsStream) throw new Error(`print() in stream mode: ${text.slice(0, 80)}`);
  process.stdout.write(`${text}\n`);
}

/** In proxy mode nothing but the relay may write to stdout: stray console output goes to stderr, print() refuses. */
export function keepStdoutForTheStream(): void {
  stdoutIsStream = true;
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.dir = toStderr;
  console.table = toStderr;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
