// Golden files: compare generated text with a committed file. `UPDATE_GOLDEN=1`
// (re)writes them; a missing golden file is a failure, never written silently.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  expect(fs.existsSync(file), `golden file ${file} is missing (run with UPDATE_GOLDEN=1, then review it)`).toBe(true);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
