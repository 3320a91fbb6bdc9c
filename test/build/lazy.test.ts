// `remote --version` must answer before the rest of the program is loaded
// (esbuild keeps the require()d main module behind a lazy init). Checked on
// dist/remote.cjs, the same code the single executables run: the full program
// loads child_process and net, --version must not.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CJS, artifact } from './artifacts.js';

const HEAVY = ['NativeModule child_process', 'NativeModule net'];

// Runs the bundle in-process with `args` and returns what it printed and the
// built-in modules it loaded (process.moduleLoadList when the process exits).
// stdout and stderr are files, not pipes: a pipe would itself load `net`.
function loadedModules(args: string[]): { stdout: string; modules: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-lazy-'));
  try {
    const list = path.join(dir, 'modules.json');
    const script = `
      const bundle = ${JSON.stringify(artifact(CJS))};
      process.argv = [process.argv[0], bundle, ...${JSON.stringify(args)}];
      process.on('exit', () => {
        require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList));
      });
      require(bundle);
    `;
    const out = fs.openSync(path.join(dir, 'stdout'), 'w');
    const err = fs.openSync(path.join(dir, 'stderr'), 'w');
    const r = spawnSync(process.execPath, ['-e', script], {
      stdio: ['ignore', out, err],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 30_000,
    });
    fs.closeSync(out);
    fs.closeSync(err);
    if (!fs.existsSync(list)) {
      throw new Error(`no module list; status ${r.status}, stderr:\n${fs.readFileSync(path.join(dir, 'stderr'), 'utf8')}`);
    }
    return {
      stdout: fs.readFileSync(path.join(dir, 'stdout'), 'utf8'),
      modules: JSON.parse(fs.readFileSync(list, 'utf8')) as string[],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('dist/remote.cjs start-up', () => {
  it('answers --version without loading the rest of the program', () => {
    const { stdout, modules } = loadedModules(['--version']);
    expect(stdout).toMatch(/^slurmhop \S+\n$/);
    for (const m of HEAVY) expect(modules, `--version loaded ${m}`).not.toContain(m);
  });

  it('loads the rest of the program for any other command (so the check above can fail)', () => {
    const { modules } = loadedModules(['help']);
    for (const m of HEAVY) expect(modules).toContain(m);
  });
});
