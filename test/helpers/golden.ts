// Golden files: compare generated text with a committed file. `UPDATE_GOLDEN=1`
// rewrites them; a missing golden file is an error in CI.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export function expectGolden(file: string, actual: string): void {
  const update = process.env.UPDATE_GOLDEN === '1' || (!fs.existsSync(file) && process.env.CI !== 'true');
  if (update) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  expect(fs.existsSync(file), `golden file ${file} is missing (run with UPDATE_GOLDEN=1)`).toBe(true);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
