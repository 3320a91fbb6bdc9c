// The rule of dependency direction (docs/ARCHITECTURE.md, .dependency-cruiser.cjs):
// the source obeys it, and an import that breaks it fails the check.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const tmp = tempDirs('slurmhop-deps-');

const cruise = (cwd: string) => execa(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src'], { cwd, reject: false, env: { FORCE_COLOR: '0', NO_COLOR: '1' } });

/** A copy of the source with more files in it. */
function sourceWith(files: Record<string, string>): string {
  const dir = tmp();
  fs.cpSync(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

describe('the direction of dependencies', { timeout: 120_000 }, () => {
  it('src/ has no import into cli/ from below, no cycle, and each role keeps to itself', async () => {
    const r = await cruise(ROOT);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no dependency violations found \(\d{3} modules/);
  });

  it('an upward import into cli/ fails the check, naming the rule and the files', async () => {
    const dir = sourceWith({ 'src/state/upward.ts': "import { COMMANDS } from '../cli/commands/index.js';\nexport const count = COMMANDS.length;\n" });
    const r = await cruise(dir);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('error cli-is-the-top: src/state/upward.ts → src/cli/commands/index.ts');
  });

  it('the node side reaching into the login side, and a cycle, fail too', async () => {
    const side = await cruise(sourceWith({ 'src/job/reach.ts': "export { openSession } from '../session/index.js';\n" }));
    expect(side.stdout).toContain('error node-side-alone: src/job/reach.ts → src/session/index.ts');
    const cycle = await cruise(
      sourceWith({ 'src/state/ping.ts': "import { pong } from './pong.js';\nexport const ping = () => pong;\n", 'src/state/pong.ts': "import { ping } from './ping.js';\nexport const pong = () => ping;\n" }),
    );
    expect(cycle.stdout).toMatch(/error no-circular: src\/state\/p[io]ng\.ts/);
  });

  it('the laptop command is a top of its own, and reaches the cluster only through setup/ and ssh', async () => {
    const into = await cruise(sourceWith({ 'src/setup/upward.ts': "export { LAPTOP_COMMANDS } from '../laptop/commands/index.js';\n" }));
    expect(into.stdout).toContain('error laptop-is-the-top: src/setup/upward.ts → src/laptop/commands/index.ts');
    const across = await cruise(sourceWith({ 'src/laptop/reach.ts': "export { openSession } from '../session/index.js';\n" }));
    expect(across.stdout).toContain('error laptop-command-on-the-laptop-side: src/laptop/reach.ts → src/session/index.ts');
  });
});
