// The esbuild step on its own: every package src/ imports bundles into a file
// that needs nothing but Node built-ins (the optional native parts of ssh2 and
// debug's supports-color are stubbed).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/build/bundle.mjs';
import { CJS, ROOT, artifact } from './artifacts.js';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

// Every require("...") with a string literal left in a bundle.
function requiredIds(code: string): string[] {
  return [...code.matchAll(/\brequire\(\s*(["'`])([^"'`]+)\1\s*\)/g)].map((m) => m[2]!);
}

// require(expression): esbuild leaves these alone, and in a SEA they reach the
// built-in-only require() at run time.
function dynamicRequires(code: string): string[] {
  return [...code.matchAll(/(?<![\w$.])require\(\s*[^"'`\s)][^)\n]{0,60}/g)].map((m) => m[0]);
}

// Every package src/ imports (they are devDependencies: the installed package
// carries them bundled, and needs nothing from the registry).
function importedPackages(dir: string): string[] {
  const found = new Set<string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const code = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    // The import and export statements' own `from` (not the word in a string: "Disconnected from '").
    for (const m of code.matchAll(/^(?:import|export)\b[^;]*?\bfrom '([^.'][^']*)'/gm)) if (!builtins.has(m[1]!)) found.add(m[1]!);
  }
  return [...found].sort();
}

describe('bundling', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-bundle-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('dist/remote.cjs requires nothing but Node built-ins', () => {
    const code = fs.readFileSync(artifact(CJS), 'utf8');
    expect(requiredIds(code).filter((id) => !builtins.has(id))).toEqual([]);
    expect(dynamicRequires(code)).toEqual([]);
  });

  it('bundles every run-time dependency self-contained, and the result runs', async () => {
    const deps = importedPackages(path.join(ROOT, 'src'));
    expect(deps).toContain('ssh2');
    const contents =
      deps.map((d, i) => `import * as m${i} from ${JSON.stringify(d)};`).join('\n') +
      `\nconst ssh2 = m${deps.indexOf('ssh2')} as any;\nnew (ssh2.Client ?? ssh2.default.Client)();\n` +
      `console.log(JSON.stringify([${deps.map((_, i) => `Object.keys(m${i}).length`).join(', ')}]));\n`;
    const outfile = path.join(dir, 'deps.cjs');
    await bundle({ stdin: { contents, loader: 'ts', resolveDir: ROOT, sourcefile: 'deps.ts' }, outfile, absWorkingDir: ROOT });
    const code = fs.readFileSync(outfile, 'utf8');
    expect(requiredIds(code).filter((id) => !builtins.has(id))).toEqual([]);
    expect(dynamicRequires(code)).toEqual([]);
    expect(code).toContain('(not bundled)');

    // Run from outside the repository, so no node_modules can be found.
    const r = spawnSync(process.execPath, [outfile], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const counts = JSON.parse(r.stdout) as number[];
    expect(counts.every((n) => n > 0)).toBe(true);
  });
});
