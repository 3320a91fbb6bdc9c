import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSetupArgs, clusterNameFromHost } from '../../src/setup/args.js';
import { parseSinfo, planConfigIni, proposeProfiles } from '../../src/setup/cluster-profiles.js';
import { hasPublicKey } from '../../src/setup/cluster-files.js';
import { unifiedDiff } from '../../src/setup/diff.js';
import { checkHostKey, fingerprint, parseKnownHosts, preferredHostKeyAlgorithms, replaceKnownHosts } from '../../src/setup/known-hosts.js';
import { applyChange } from '../../src/setup/local-files.js';
import { controlDirFor } from '../../src/setup/local-plan.js';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';
import { planVscodeSettings } from '../../src/setup/vscode-settings.js';
import { renderSshConfigBlock, type SshBlockInput } from '../../src/templates/ssh-config-block.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-setup-unit-');
const input: SshBlockInput = {
  platform: 'linux', cluster: 'hpc', prefix: 'slurm', profiles: ['cpu'], login: { host: 'h', port: 22, user: 'ana' },
  identityFile: '/k', loginKnownHosts: ['/kh'], jobKnownHosts: '/kh2', sshProgram: 'ssh', controlDir: '/c',
};
const plan = (text: string) => planSshConfig(text, '/home/ana/.ssh/config', input, 'hpc', '\n');

describe('an ssh config the wizard must not write', () => {
  it.each([
    ['Host a\n  User "unterminated\n', /config:2: unbalanced quotes/],
    ['Host a\n  HostName\n', /config:2: "HostName" has no value/],
    ['Host a\n  !!!\n', /config:2: not "Keyword value"/],
    ['# >>> slurmhop hpc >>>\nHost x\n', /config:1: the slurmhop block for "hpc" has no end marker/],
    ['Host x\n# <<< slurmhop hpc <<<\n', /config:2: an end marker for "hpc" without its begin marker/],
    [`${renderSshConfigBlock(input)}${renderSshConfigBlock(input)}`, /a second slurmhop block for "hpc"/],
  ])('%j is refused, naming the line', (text, message) => {
    expect(() => plan(text)).toThrow(message);
  });

  it('a setting above the block that would override it is refused', () => {
    const moved = `StrictHostKeyChecking no\n${renderSshConfigBlock(input)}`;
    expect(() => plan(moved)).toThrow(/config:1: "stricthostkeychecking no" comes before the slurmhop block/);
  });

  it.each([
    ['Match exec "test -e /tmp/vpn"\n  StrictHostKeyChecking no\n', /config:2: "stricthostkeychecking no" comes before the slurmhop block, under "Match exec "test -e \/tmp\/vpn"" \(line 1\), which may apply to slurm-cpu \(setup cannot tell\),/],
    ['Match user ana\n  UserKnownHostsFile /dev/null\n', /config:2: "userknownhostsfile \/dev\/null" comes before the slurmhop block, under "Match user ana" \(line 1\)/],
    ['Match localnetwork 10.0.0.0/8\n  ProxyCommand none\n', /config:2: "proxycommand none" comes before the slurmhop block, under "Match localnetwork 10.0.0.0\/8"/],
    ['Include ~/.ssh/config.d/*\n', /config:1: "Include ~\/\.ssh\/config\.d\/\*" comes before the slurmhop block; what it reads may set proxycommand, hostkeyalias, stricthostkeychecking, userknownhostsfile for slurm-cpu before the block does/],
    ['Match host other.org exec "true"\n  StrictHostKeyChecking no\nMatch all\n', null],
  ])('above the block, %j (it may apply: setup cannot evaluate it) is refused, naming the line', (above, message) => {
    const text = `${above}${renderSshConfigBlock(input)}`;
    if (message) expect(() => plan(text)).toThrow(message);
    else expect(plan(text).after).toBe(text);
  });

  it('a Host section of the same name outside the block is a warning', () => {
    expect(plan('Host slurm-cpu\n  User x\n').warnings[0]).toMatch(/config:\d+: "Host slurm-cpu" is also defined outside/);
  });

  it('a file that is not UTF-8 stops before parsing', async () => {
    const { decodeText } = await import('../../src/setup/text-file.js');
    expect(() => decodeText(Buffer.from([0x48, 0x6f, 0x73, 0x74, 0x0a, 0xff, 0xfe]), 'cfg')).toThrow(/cfg:2: not UTF-8/);
  });
});

describe('writing local files', () => {
  it('backs up first, writes through a symlink, keeps the mode, rerun writes nothing', () => {
    const dir = tmp();
    const real = path.join(dir, 'dotfiles-config');
    fs.writeFileSync(real, 'old\n', { mode: 0o640 });
    fs.chmodSync(real, 0o640);
    const link = path.join(dir, 'config');
    fs.symlinkSync(real, link);
    const now = new Date('2025-01-31T14:25:01.123Z');
    const done = applyChange({ file: link, before: 'old\n', after: 'new\n', mode: 0o600, backup: true }, now);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('new\n');
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);
    expect(done!.backup).toBe(`${real}.slurmhop-backup-20250131T142501Z`);
    expect(fs.readFileSync(done!.backup!, 'utf8')).toBe('old\n');
    expect(applyChange({ file: link, before: 'new\n', after: 'new\n', mode: 0o600, backup: true }, now)).toBeUndefined();
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'dotfiles-config', 'dotfiles-config.slurmhop-backup-20250131T142501Z']);
  });

  it('a new file gets 0600 in a new 0700 directory', () => {
    const file = path.join(tmp(), 'new', 'known');
    applyChange({ file, before: undefined, after: 'x\n', mode: 0o600, backup: true }, new Date());
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });
});

describe('known_hosts', () => {
  it('finds plain, pattern and hashed entries (ssh-keygen -H), and tells changed from unknown', async () => {
    const dir = tmp();
    const key = 'AAAAC3NzaC1lZDI1NTE5AAAAIPhEiyny3jMTRRDHrB9Shvi0+0XPu6Ux0vuI8rt7hQdG';
    const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIC4v4uMUKZiz6mwz1gahnWz/4Y8OjcAADRgV/OaqaQyo';
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(file, `[login.example.org]:2222 ssh-ed25519 ${key}\n*.corp,!bad.corp ssh-ed25519 ${other}\n`);
    await execa('ssh-keygen', ['-H', '-f', file]);
    const entries = parseKnownHosts(fs.readFileSync(file, 'utf8'), file);
    expect(entries[0]!.names.startsWith('|1|')).toBe(true);
    expect(checkHostKey(entries, '[login.example.org]:2222', key).status).toBe('known');
    expect(checkHostKey(entries, '[login.example.org]:2222', other).status).toBe('changed');
    expect(checkHostKey(entries, 'login.example.org', key).status).toBe('unknown');
    expect(checkHostKey(entries, 'a.corp', other).status).toBe('known');
    expect(checkHostKey(entries, 'bad.corp', other).status).toBe('unknown');
    expect(checkHostKey(parseKnownHosts(`@revoked * ssh-ed25519 ${key}\n`, 'f'), 'x', key).status).toBe('revoked');
    expect(preferredHostKeyAlgorithms(parseKnownHosts(`h ssh-rsa ${key}\n`, 'f'), 'h').slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    const fp = (await execa('ssh-keygen', ['-l', '-f', '-'], { input: `ssh-ed25519 ${key}\n` })).stdout;
    expect(fp).toContain(fingerprint(key));
  });

  it('slurmhop_known_hosts: the alias line is replaced, other lines kept', () => {
    expect(replaceKnownHosts('a k1\nslurmhop-hpc old\nb k2\n', ['slurmhop-hpc'], ['slurmhop-hpc new'])).toBe('a k1\nb k2\nslurmhop-hpc new\n');
  });
});

describe('cluster files', () => {
  const sinfo = 'interactive*|(null)|8:00:00\ninteractive*|gpu:1|8:00:00\ngpu|gpu:1|2:00:00\n';

  it('proposes cpu on the default partition and gpu where every node has one', () => {
    expect([...proposeProfiles(parseSinfo(sinfo))]).toEqual([
      ['cpu', [['partition', 'interactive'], ['time', '8:00:00']]],
      ['gpu', [['partition', 'gpu'], ['gres', 'gpu:1'], ['time', '2:00:00']]],
    ]);
    expect([...proposeProfiles(parseSinfo('batch*|(null)|infinite\n')).keys()]).toEqual(['cpu']);
  });

  it('config.ini keeps what the user set and only appends missing profiles', () => {
    const mine = '# mine\n[defaults]\naccount = p1\n\n[profile.cpu]\npartition = debug\n';
    const p = planConfigIni(mine, 'c.ini', proposeProfiles(parseSinfo(sinfo)));
    expect(p.text!.startsWith(mine)).toBe(true);
    expect(p.added).toEqual(['gpu']);
    expect(p.profiles).toEqual(['cpu', 'gpu']);
    expect(planConfigIni(p.text, 'c.ini', proposeProfiles(parseSinfo(sinfo))).added).toEqual([]);
    expect(() => planConfigIni('[profile.cpu]\nbogus line\n', 'c.ini', new Map())).toThrow(/c.ini:2/);
  });

  it('authorized_keys matches a key by its blob, whatever its options or comment', () => {
    expect(hasPublicKey('from="x" ssh-ed25519 AAAAblob other-comment\n', 'ssh-ed25519 AAAAblob mine')).toBe(true);
    expect(hasPublicKey('ssh-ed25519 AAAAother\n', 'ssh-ed25519 AAAAblob mine')).toBe(false);
  });
});

describe('VS Code settings (JSONC)', () => {
  const settings = '// my settings\n{\n  "editor.fontSize": 14, /* big */\n  "remote.SSH.connectTimeout": 900,\n  "remote.SSH.remotePlatform": { "box": "linux" },\n}\n';

  it('sets what Remote-SSH needs, keeps comments and a longer timeout, and is stable', () => {
    const once = planVscodeSettings(settings, 's.json', { hosts: ['hpc', 'slurm-cpu'], connectTimeout: 480 });
    expect(once).toContain('// my settings');
    expect(once).toContain('/* big */');
    expect(once).toContain('"remote.SSH.connectTimeout": 900');
    expect(JSON.parse(once.replace(/\/\/.*|\/\*.*?\*\//g, '').replace(/,(\s*[}\]])/g, '$1'))).toMatchObject({
      'remote.SSH.remotePlatform': { box: 'linux', hpc: 'linux', 'slurm-cpu': 'linux' },
      'remote.SSH.showLoginTerminal': true,
      'remote.SSH.localServerDownload': 'always',
      'remote.downloadExtensionsLocally': true,
    });
    expect(planVscodeSettings(once, 's.json', { hosts: ['hpc', 'slurm-cpu'], connectTimeout: 480 })).toBe(once);
    expect(planVscodeSettings(undefined, 's.json', { hosts: ['x'], connectTimeout: 480 })).toContain('"remote.SSH.connectTimeout": 480');
  });

  it('a broken settings.json is refused with line and column', () => {
    expect(() => planVscodeSettings('{\n  "a": 1\n  "b": 2\n}', '/s.json', { hosts: [], connectTimeout: 1 })).toThrow(/\/s\.json:3:3: expected ","/);
  });
});

describe('the rest', () => {
  it('the dry-run diff is what diff -u prints', async () => {
    const dir = tmp();
    const a = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n';
    const b = 'zero\none\ntwo\nTHREE\nfour\nfive\nsix\nseven\nnine\nten\neleven';
    fs.writeFileSync(path.join(dir, 'a'), a);
    fs.writeFileSync(path.join(dir, 'b'), b);
    const real = await execa('diff', ['-u', 'a', 'b'], { cwd: dir, reject: false });
    const body = (t: string) => t.split('\n').filter((l) => !l.startsWith('---') && !l.startsWith('+++')).join('\n');
    expect(body(unifiedDiff(a, b, 'a', 'b'))).toBe(body(`${real.stdout}\n`));
  });

  it('options are checked and named', () => {
    expect(() => parseSetupArgs(['--port', '99999'])).toThrow(/--port: "99999" is not a port/);
    expect(() => parseSetupArgs(['--cluster', 'My Cluster'])).toThrow(/--cluster: "My Cluster" is not allowed/);
    expect(() => parseSetupArgs(['--host', 'ana@login'])).toThrow(/--host: "ana@login"/);
    expect(() => parseSetupArgs(['--bogus'])).toThrow(/bogus/);
    expect(parseSetupArgs(['--host', 'login1.hpc.example.org', '--no-vscode', '-y'])).toMatchObject({ host: 'login1.hpc.example.org', vscode: false, yes: true });
    expect(parseSetupArgs(['--vscode-server-path', '/scratch/ana/'])).toMatchObject({ vscodeServerPath: '/scratch/ana' });
    expect(() => parseSetupArgs(['--vscode-server-path', 'scratch'])).toThrow(/--vscode-server-path: "scratch" is not an absolute path/);
    expect(() => parseSetupArgs(['--vscode-server-path', '/my dir'])).toThrow(/--vscode-server-path: "\/my dir"/);
    expect(() => parseSetupArgs(['--vscode-server-path', '/x;rm'])).toThrow(/--vscode-server-path/);
    expect(clusterNameFromHost('login1.hpc.example.org')).toBe('hpc');
    expect(clusterNameFromHost('127.0.0.1')).toBe('cluster');
  });
});

describe("ssh's connection-sharing socket", () => {
  // ssh creates ControlPath plus ".XXXXXXXXXXXXXXXX" and must fit it in a socket address: 104
  // bytes on macOS, including the final NUL (OpenSSH: "too long for Unix domain socket").
  it('goes in ~/.ssh where its path fits a Unix socket address on every laptop, is left out where it would not (and on Windows)', () => {
    const home = (n: number) => ({ platform: 'darwin' as const, home: `/Users/${'a'.repeat(n - 7)}`, env: {} });
    expect(controlDirFor(home(31))).toBe(`${home(31).home}/.ssh`);
    expect(`${home(31).home}/.ssh/slurmhop-${'0'.repeat(40)}.${'0'.repeat(16)}`).toHaveLength(103);
    expect(controlDirFor(home(32))).toBeUndefined();
    expect(controlDirFor({ platform: 'win32', home: 'C:\\Users\\ana', env: {} })).toBeUndefined();
  });
});
