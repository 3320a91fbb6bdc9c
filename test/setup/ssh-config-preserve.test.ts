// Property: whatever the existing config holds, every byte outside this
// cluster's block survives a setup run, a rerun and an uninstall.
import { describe, expect, it } from 'vitest';
import { renderSshConfigBlock, type SshBlockInput } from '../../src/templates/ssh-config-block.js';
import { findBlocks } from '../../src/setup/managed-block.js';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const input = (cluster: string, prefix = 'slurm'): SshBlockInput => ({
  platform: 'linux',
  cluster,
  prefix,
  profiles: ['cpu', 'gpu'],
  login: { host: 'login.example.org', port: 22, user: 'ana' },
  identityFile: '/home/ana/.ssh/k',
  loginKnownHosts: ['/home/ana/.ssh/known_hosts'],
  jobKnownHosts: '/home/ana/.ssh/slurmhop_known_hosts',
  sshProgram: 'ssh',
  controlDir: '/home/ana/.ssh',
});

/** A random but valid ssh config: what people's files look like, and stranger. */
function generate(r: () => number, withOwnBlock: boolean): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const eol = r() < 0.2 ? '\r\n' : '\n';
  const ws = () => pick([' ', '  ', '\t', '    ', ' \t']);
  const parts: string[] = [];
  const n = Math.floor(r() * 25);
  const ownAt = withOwnBlock ? Math.floor(r() * (n + 1)) : -1;
  let otherDone = false;
  for (let i = 0; i <= n; i++) {
    if (i === ownAt) parts.push(...renderSshConfigBlock({ ...input('hpc'), prefix: pick(['slurm', 'old']) }).split('\n').slice(0, -1));
    if (i === n) break;
    switch (pick(['comment', 'blank', 'host', 'directive', 'directive', 'match', 'other-block', 'unicode', 'include'])) {
      case 'comment':
        parts.push(`${pick(['', ws()])}#${pick([' my settings', '', '# >>> not a marker', ' >>> slurmhop hpc', ' ünïcødé ✓'])}`);
        break;
      case 'blank':
        parts.push(pick(['', ws()]));
        break;
      case 'host':
        parts.push(`${pick(['Host', 'host', 'HOST'])}${pick([' ', '=', ' = ', '\t'])}${pick(['*', 'github.com', 'a b c', '!bad *.corp', '"quoted name"', 'slurm-cpu', 'box?'])}`);
        break;
      case 'directive':
        parts.push(`${ws()}${pick(['HostName example.com', 'User=bob', 'Port 2200', 'ForwardAgent yes', 'IdentityFile "~/.ssh/my key"', 'ServerAliveInterval\t60', 'LocalForward 8080 localhost:80', 'ProxyJump jump', 'SetEnv A="x y"'])}${pick(['', ' ', '\t'])}`);
        break;
      case 'match':
        parts.push(pick(['Match host *.example.org', 'Match all', 'Match exec "true"']));
        break;
      case 'other-block':
        if (otherDone) break;
        otherDone = true;
        parts.push(...renderSshConfigBlock(input('other', 'o')).split('\n').slice(0, -1));
        break;
      case 'unicode':
        parts.push(`  # 日本語 — émoji 🚀`);
        break;
      case 'include':
        parts.push(pick(['Include ~/.orbstack/ssh/config', 'Include config.d/*']));
        break;
    }
  }
  let text = parts.join(eol) + (r() < 0.85 ? eol : '');
  if (r() < 0.1) text = `\uFEFF${text}`;
  if (r() < 0.05) text = '';
  return text;
}

/** The file without this cluster's block. */
function outside(text: string): string {
  const span = findBlocks(text, 'f').get('hpc');
  return span ? text.slice(0, span.start) + text.slice(span.end) : text;
}

describe('everything outside the block survives byte for byte', () => {
  for (const withOwnBlock of [false, true]) {
    it(`600 generated configs${withOwnBlock ? ' that already have a block' : ''}: setup, rerun, uninstall`, () => {
      const r = rng(withOwnBlock ? 7 : 42);
      let checked = 0;
      for (let i = 0; i < 600; i++) {
        const before = generate(r, withOwnBlock);
        const ctx = `case ${i}: ${JSON.stringify(before)}`;
        let once: string;
        try {
          once = planSshConfig(before, 'f', input('hpc'), 'hpc', '\n').after;
        } catch (err) {
          // A block the user moved below settings that would override it is refused, naming the line.
          expect((err as Error).message, ctx).toMatch(/^f:\d+: ".*" comes before the slurmhop block/);
          expect(withOwnBlock, ctx).toBe(true);
          continue;
        }
        checked++;
        expect(outside(once), ctx).toBe(outside(before));
        expect(findBlocks(once, 'f').has('hpc'), ctx).toBe(true);
        if (findBlocks(before, 'f').has('other')) expect(findBlocks(once, 'f').has('other'), ctx).toBe(true);
        const twice = planSshConfig(once, 'f', input('hpc'), 'hpc', '\n').after;
        expect(twice, ctx).toBe(once);
        const removed = planSshConfig(once, 'f', undefined, 'hpc', '\n').after;
        expect(removed, ctx).toBe(outside(before));
      }
      // About 40% of the moved blocks sit below an Include or a Match exec that may override them: refused.
      expect(checked).toBeGreaterThan(withOwnBlock ? 300 : 590);
    });
  }

  it('a CRLF file gets a CRLF block', () => {
    const before = 'Host a\r\n  User b\r\n';
    const after = planSshConfig(before, 'f', input('hpc'), 'hpc', '\n').after;
    expect(after.replace(/\r\n/g, '')).not.toContain('\n');
    expect(after.endsWith(before)).toBe(true);
  });
});
