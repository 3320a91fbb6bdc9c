// The README's exit-code table is the documentation users read: it must list
// exactly the codes the program uses.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { SETUP_EXIT } from '../../src/setup/errors.js';

describe('README', () => {
  it('documents every exit code, and no other', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('### Exit codes')[1]!.split('\n### ')[0]!;
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(documented).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});

describe('TUTORIAL', () => {
  it("documents every exit code of the laptop's setup and slurmhop command, and no other", () => {
    const tutorial = fs.readFileSync(new URL('../../TUTORIAL.md', import.meta.url), 'utf8');
    const section = tutorial.split('## Exit codes')[1]!;
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(documented).toEqual([...new Set(Object.values(SETUP_EXIT))].sort((a, b) => a - b));
  });
});
