// Doctor's deps over a temporary home: real files, real ssh-keygen; Slurm is a
// scripted runner (unit tests: the real Slurm is in test/e2e/history-doctor.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { defaultDoctorDeps, type DoctorDeps } from '../../src/doctor/index.js';
import type { RunResult, SlurmRunner } from '../../src/slurm/index.js';

export interface Call {
  command: string;
  args: string[];
  input?: string | undefined;
}

export type Script = Record<string, (args: string[]) => RunResult | Promise<RunResult>>;

export const answered = (stdout: string, stderr = '', exitCode = 0): RunResult => ({ stdout, stderr, exitCode });

export const HEALTHY_SLURM: Script = {
  sinfo: () => answered('interactive*|up\ngpu|up'),
  squeue: () => answered('5|slurmhop-cpu|RUNNING|c1|2025-01-01T00:00:00|1:00|30:00|29:00|interactive|N/A|None\n6|train|PENDING||N/A|0:00|1:00:00|1:00:00|gpu|N/A|Resources'),
  sbatch: () => answered('', 'sbatch: Job 177 to start at 2025-01-01T00:00:00 using 1 processors on nodes c1 in partition interactive'),
};

export function scriptedRunner(script: Script, calls: Call[] = []): SlurmRunner {
  return async (command, args, options = {}) => {
    calls.push({ command, args, input: options.input });
    const answer = script[command];
    if (!answer) throw new Error(`unexpected ${command}`);
    return answer(args);
  };
}

/** A home with ~/.ssh/authorized_keys and ~/.local/bin/remote, and no state yet. */
export function fakeHome(root: string, overrides: Partial<DoctorDeps> = {}): DoctorDeps & { calls: Call[] } {
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(path.join(home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7bY5X2u9sYQmq3pO3hR0a3E8i0g0sWkQ2m1b2c3d4e hal@laptop\n', { mode: 0o600 });
  fs.mkdirSync(path.join(home, '.local', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(home, '.local', 'bin', 'remote'), '#!/bin/sh\n', { mode: 0o755 });
  const calls: Call[] = [];
  const real = defaultDoctorDeps({ HOME: home });
  return {
    ...real,
    user: 'hal',
    uid: process.getuid!(),
    version: '0.1.0',
    running: { protocol: 1, version: '0.1.0', source: 'built-in', launcher: { version: '0.1.0', executable: '/home/hal/.local/bin/remote' } },
    platform: 'linux',
    arch: 'x64',
    glibc: () => '2.36',
    remoteCommand: [path.join(home, '.local', 'bin', 'remote')],
    run: scriptedRunner(HEALTHY_SLURM, calls),
    freeBytes: () => 2 ** 30,
    // No quota tools, one filesystem with room: the home directory check is ok.
    quota: async () => undefined,
    mountinfo: () => `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n`,
    filesystem: () => ({ totalBytes: 100 * 2 ** 30, availableBytes: 60 * 2 ** 30, files: 1_000_000, freeFiles: 900_000 }),
    processes: () => [],
    now: () => Date.now(),
    calls,
    ...overrides,
  };
}
