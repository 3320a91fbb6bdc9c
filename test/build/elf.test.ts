// The single executables must run on old cluster distributions (RHEL/Rocky 8:
// glibc 2.28, libstdc++ of GCC 8) and be built for the right CPU.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEA, artifact } from './artifacts.js';
import { EM_AARCH64, EM_X86_64, compareVersions, elfMachine, maxVersion, neededVersions } from './elf.js';

describe.each([
  ['x64', EM_X86_64],
  ['arm64', EM_AARCH64],
] as const)('dist/remote-linux-%s (ELF)', (arch, machine) => {
  const read = () => fs.readFileSync(artifact(SEA[arch]));

  it(`is an ELF for e_machine ${machine}`, () => {
    expect(elfMachine(read())).toBe(machine);
  });

  it('needs at most GLIBC_2.28 and GLIBCXX_3.4.25', () => {
    const needed = neededVersions(read());
    expect(needed['libc.so.6'], 'libc.so.6 symbol versions').toBeDefined();
    const glibc = maxVersion(needed, 'GLIBC_');
    const glibcxx = maxVersion(needed, 'GLIBCXX_');
    expect(glibc, 'some GLIBC_ version').toBeDefined();
    expect(compareVersions(glibc!, [2, 28]), `needs GLIBC_${glibc!.join('.')}`).toBeLessThanOrEqual(0);
    if (glibcxx) {
      expect(compareVersions(glibcxx, [3, 4, 25]), `needs GLIBCXX_${glibcxx.join('.')}`).toBeLessThanOrEqual(0);
    }
  });
});
