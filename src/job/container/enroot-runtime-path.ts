// enroot makes its runtime directory before it reads any command
// (enroot.in:106@v4.1.2): ENROOT_RUNTIME_PATH, else ${XDG_RUNTIME_DIR:-/run}/enroot,
// from the environment or the site's enroot.conf. Batch jobs often have no
// XDG_RUNTIME_DIR on the node, and /run/enroot is root's. The site's setting
// wins where it works; where it does not, the job gives enroot a directory of
// its own (0700, on the node), removed when the job ends.
import fs from 'node:fs';
import path from 'node:path';
import { explainingLines, runtimeFailed } from './failure.js';
import type { PrepareInput } from './runner.js';

const CANNOT_MAKE = /mkdir: cannot create directory|XDG_RUNTIME_DIR: unbound variable/;

export interface RuntimePath {
  release(): Promise<void>;
  /** The directories the job made (none when the site's setting works). */
  paths: string[];
}

export async function enrootRuntimePath(input: PrepareInput): Promise<RuntimePath> {
  const { program, exec, env } = input;
  const first = await exec(program, ['version']);
  if (first.exitCode === 0) return { release: async () => {}, paths: [] };
  if (!CANNOT_MAKE.test(first.stderr)) throw runtimeFailed('enroot version', first);
  const dir = fs.mkdtempSync(path.join(input.tmpDir, `slurmhop-enroot-${input.jobId}-`));
  // The job's environment is what every runtime call (and the session's sshd) inherits.
  env.ENROOT_RUNTIME_PATH = dir;
  input.log(`enroot cannot make its runtime directory here (${explainingLines(first)}): it uses ${dir}, private to this job`);
  const second = await exec(program, ['version']);
  if (second.exitCode !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw runtimeFailed(`enroot version (ENROOT_RUNTIME_PATH=${dir})`, second);
  }
  return { release: async () => fs.rmSync(dir, { recursive: true, force: true }), paths: [dir] };
}
