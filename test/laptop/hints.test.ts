// remote's hints, run through the laptop command, in the laptop's words. The
// texts are those remote prints (src/cli/commands/*.ts, src/log.ts).
import { describe, expect, it } from 'vitest';
import { laptopWords, rewriteLines } from '../../src/laptop/hints.js';
import type { ConfiguredCluster } from '../../src/setup/index.js';

const hpc: ConfiguredCluster = { name: 'hpc', sshConfig: '/h/.ssh/config', login: 'hpc', loginTarget: {}, prefix: 'slurm', profiles: [{ profile: 'cpu', host: 'slurm-cpu' }] };

describe("remote's hints in the laptop's words", () => {
  it.each([
    ['session moved to job 8 (gpu) on c2; "ssh <prefix>" follows it', 'session moved to job 8 (gpu) on c2; "ssh slurm" follows it'],
    ['job 8 (gpu) is ready on c2: connect with ssh <prefix>-gpu or ssh <prefix>', 'job 8 (gpu) is ready on c2: connect with ssh slurm-gpu or ssh slurm'],
    ['remote swap takes exactly one profile name\nhint: e.g. remote swap gpu\n', 'slurmhop swap takes exactly one profile name\nhint: e.g. slurmhop swap gpu\n'],
    ['your job 8 (gpu, on c2) may hold what it waits for; "remote cancel 8" frees it', 'your job 8 (gpu, on c2) may hold what it waits for; "slurmhop cancel 8" frees it'],
    ['see "remote list"', 'see "slurmhop list"'],
    ['run "remote proxy <profile>" or ~/.local/bin/remote list', 'run "remote proxy <profile>" or ~/.local/bin/remote list'],
  ])('%j', (remote, laptop) => {
    expect(laptopWords(hpc, false)(remote)).toBe(laptop);
  });

  it('with several clusters set up, the hint names this one', () => {
    expect(laptopWords(hpc, true)('"remote cancel 8" frees it')).toBe('"slurmhop cancel --cluster hpc 8" frees it');
  });
});

describe('rewriting a stream line by line', () => {
  it('a hint split across chunks is rewritten whole; a line without its end is passed on after a moment', async () => {
    let out = '';
    const lines = rewriteLines(laptopWords(hpc, false), (t) => (out += t));
    lines.push('waiting: "remote can');
    lines.push('cel 8" frees it\nprogress 10%');
    expect(out).toBe('waiting: "slurmhop cancel 8" frees it\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(out).toBe('waiting: "slurmhop cancel 8" frees it\nprogress 10%');
    lines.push('\r');
    lines.end();
    expect(out).toBe('waiting: "slurmhop cancel 8" frees it\nprogress 10%\r');
  });
});
