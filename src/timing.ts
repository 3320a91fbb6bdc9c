// Where a start's milliseconds go, for the benchmark (npm run bench): with
// SLURMHOP_TIMING=1, each mark is a line on stderr, "slurmhop-timing NAME MS",
// MS since the process started (Node's own phases first). Never on stdout.
import fs from 'node:fs';

const ON = process.env.SLURMHOP_TIMING === '1';
let first = true;

export function mark(name: string): void {
  if (!ON) return;
  const lines: string[] = [];
  if (first) {
    first = false;
    // Node's phases, from its own clock (ms since the process started).
    const t = performance.nodeTiming;
    // The clock's origin (epoch ms), for a caller that knows when it started the process.
    lines.push(`origin ${performance.timeOrigin.toFixed(2)}`, `v8-started ${t.v8Start.toFixed(2)}`, `node-ready ${t.bootstrapComplete.toFixed(2)}`);
  }
  lines.push(`${name} ${performance.now().toFixed(2)}`);
  fs.writeSync(2, lines.map((l) => `slurmhop-timing ${l}\n`).join(''));
}
