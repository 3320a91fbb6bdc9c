// VS Code's settings.json as the wizard edits it: JSONC (comments, trailing
// commas), the file's own indentation and line endings, only the Remote-SSH
// properties that need it changed, and a file VS Code would not read refused
// with its line and column before anything is written.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../src/setup/errors.js';
import { parseJsonc, setJsoncProperty } from '../../src/setup/jsonc.js';
import { planLocal } from '../../src/setup/local-plan.js';
import { planVscodeSettings, removeVscodeHosts } from '../../src/setup/vscode-settings.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-vscode-settings-');
const input = { hosts: ['hpc'], connectTimeout: 480 };
const plan = (text: string | undefined) => planVscodeSettings(text, '/u/settings.json', input);
const ADDED = [
  '"remote.SSH.connectTimeout": 480,',
  '"remote.SSH.remotePlatform": {',
  '    "hpc": "linux"',
  '},',
  '"remote.SSH.showLoginTerminal": true,',
  '"remote.SSH.localServerDownload": "always",',
  '"remote.downloadExtensionsLocally": true',
];
const indented = (unit: string) => ADDED.map((l) => unit + l.replace(/^ {4}/, unit)).join('\n');

describe('settings.json edits', () => {
  it('keep line and block comments and trailing commas, and are stable', () => {
    const text = '// mine\n{\n    /* font */ "editor.fontSize": 14, // big\n    "files.exclude": { "**/.git": true, },\n}\n';
    const out = plan(text);
    expect(out).toBe(
      '// mine\n{\n    /* font */ "editor.fontSize": 14, // big\n    "files.exclude": { "**/.git": true, },\n' +
        `${indented('    ')},\n}\n`,
    );
    expect(plan(out)).toBe(out);
  });

  it('indent new lines as the file does: tabs, two spaces, four spaces', () => {
    expect(plan('{\n\t"editor.fontSize": 14\n}\n')).toBe(`{\n\t"editor.fontSize": 14,\n${indented('\t')}\n}\n`);
    expect(plan('{\n  "editor.fontSize": 14\n}\n')).toBe(`{\n  "editor.fontSize": 14,\n${indented('  ')}\n}\n`);
    expect(plan('{\n    "editor.fontSize": 14\n}\n')).toBe(`{\n    "editor.fontSize": 14,\n${indented('    ')}\n}\n`);
  });

  it('keep CRLF line endings, a byte order mark, and what follows the object', () => {
    const crlf = plan('{\r\n    "a": 1\r\n}\r\n// end\r\n');
    expect(crlf).toBe(`{\r\n    "a": 1,\r\n${indented('    ').replace(/\n/g, '\r\n')}\r\n}\r\n// end\r\n`);
    expect(plan('\uFEFF{\n    "a": 1\n}\n')).toBe(`\uFEFF{\n    "a": 1,\n${indented('    ')}\n}\n`);
  });

  it('an empty or missing file gets an object with the settings', () => {
    const fresh = `{\n${indented('    ')}\n}\n`;
    expect(plan(undefined)).toBe(fresh);
    expect(plan('')).toBe(fresh);
    expect(plan(' \n')).toBe(fresh);
    expect(plan('{}')).toBe(fresh.trimEnd());
  });

  it('a file with only comments (VS Code reads no settings there) keeps them, the object follows', () => {
    expect(plan('// comment')).toBe(`// comment\n{\n${indented('    ')}\n}\n`);
    expect(plan('/* one\n   two */\n')).toBe(`/* one\n   two */\n{\n${indented('    ')}\n}\n`);
    expect(plan(plan('// comment'))).toBe(plan('// comment'));
  });

  it('change only what is not already right, and keep a longer timeout', () => {
    const text = '{\n  "remote.SSH.connectTimeout": 900,\n  "remote.SSH.remotePlatform": {\n    "hpc": "windows", // wrong\n    "box": "macOS"\n  },\n  "remote.SSH.showLoginTerminal": true,\n  "remote.SSH.localServerDownload": "always",\n  "remote.downloadExtensionsLocally": true\n}\n';
    expect(plan(text)).toBe(text.replace('"windows"', '"linux"'));
  });

  it('downloadExtensionsLocally: true when unset (extensions come through the laptop, as the server does); false the user chose is kept, with a warning', () => {
    expect(parseJsonc(plan('{}'))).toMatchObject({ 'remote.downloadExtensionsLocally': true });
    const warnings: string[] = [];
    const out = planVscodeSettings('{ "remote.downloadExtensionsLocally": false }', '/u/settings.json', { ...input, warn: (m) => warnings.push(m) });
    expect(parseJsonc(out)).toMatchObject({ 'remote.downloadExtensionsLocally': false });
    expect(warnings).toEqual([expect.stringMatching(/^\/u\/settings\.json: "remote\.downloadExtensionsLocally" is false, kept; .*extensions then cannot install themselves/)]);
  });

  it('lockfilesInTmp: not set when the home can hold a lock; set, with the reason, when it cannot; a true already there is kept with a warning', () => {
    expect(parseJsonc(plan('{}'))).not.toHaveProperty(['remote.SSH.lockfilesInTmp']);
    const warnings: string[] = [];
    const forced = planVscodeSettings('{}', '/u/settings.json', { ...input, noLocksInHome: 'flock fails in /home/ana (No locks available)', warn: (m) => warnings.push(m) });
    expect(parseJsonc(forced)).toMatchObject({ 'remote.SSH.lockfilesInTmp': true });
    expect(warnings).toEqual([expect.stringContaining('"remote.SSH.lockfilesInTmp" is true because flock fails in /home/ana (No locks available)')]);
    warnings.length = 0;
    const kept = planVscodeSettings('{ "remote.SSH.lockfilesInTmp": true }', '/u/settings.json', { ...input, warn: (m) => warnings.push(m) });
    expect(parseJsonc(kept)).toMatchObject({ 'remote.SSH.lockfilesInTmp': true });
    expect(warnings).toEqual([expect.stringContaining('another user could create them first: remove the setting unless you set it for a reason')]);
  });

  it("an uninstall removes the cluster's host entries, keeps other hosts, comments and the global settings", () => {
    const text = '{\n  // mine\n  "remote.SSH.remotePlatform": { "hpc": "linux", "box": "macOS" },\n  "remote.SSH.serverInstallPath": { "hpc": "/scratch/ana" },\n  "remote.SSH.connectTimeout": 480\n}\n';
    const out = removeVscodeHosts(text, '/u/settings.json', ['hpc', 'slurm-cpu']);
    expect(parseJsonc(out)).toEqual({ 'remote.SSH.remotePlatform': { box: 'macOS' }, 'remote.SSH.serverInstallPath': {}, 'remote.SSH.connectTimeout': 480 });
    expect(out).toContain('// mine');
    expect(removeVscodeHosts(out, '/u/settings.json', ['hpc'])).toBe(out);
  });

  it('localServerDownload: set to "always" when unset; another value the user chose is kept, with a warning naming the file', () => {
    const warnings: string[] = [];
    const text = '{\n  "remote.SSH.localServerDownload": "off"\n}\n';
    const out = planVscodeSettings(text, '/u/settings.json', { ...input, warn: (m) => warnings.push(m) });
    expect(parseJsonc(out)).toMatchObject({ 'remote.SSH.localServerDownload': 'off' });
    expect(warnings).toEqual([expect.stringMatching(/^\/u\/settings\.json: "remote\.SSH\.localServerDownload" is "off", kept; .*"always"/)]);
    expect(parseJsonc(plan('{}'))).toMatchObject({ 'remote.SSH.localServerDownload': 'always' });
  });

  it('serverInstallPath: set for every slurmhop host, other hosts kept, stable', () => {
    const text = '{\n  "remote.SSH.serverInstallPath": { "box": "/data/me", "hpc": "/old" }\n}\n';
    const withPath = { hosts: ['hpc', 'slurm-cpu'], connectTimeout: 480, serverInstallPath: '/scratch/ana' };
    const out = planVscodeSettings(text, '/u/settings.json', withPath);
    expect((parseJsonc(out) as Record<string, unknown>)['remote.SSH.serverInstallPath']).toEqual({ box: '/data/me', hpc: '/scratch/ana', 'slurm-cpu': '/scratch/ana' });
    expect(planVscodeSettings(out, '/u/settings.json', withPath)).toBe(out);
    expect(plan('{}')).not.toContain('serverInstallPath');
  });

  it('one property added last to a CRLF file keeps CRLF before the closing brace', () => {
    expect(setJsoncProperty('{\r\n    "a": 1\r\n}\r\n', ['k'], 'v')).toBe('{\r\n    "a": 1,\r\n    "k": "v"\r\n}\r\n');
  });

  it('a remotePlatform that is not an object is replaced by one', () => {
    expect(setJsoncProperty('{\n  "p": "linux",\n}\n', ['p', 'hpc'], 'linux')).toBe('{\n  "p": {\n    "hpc": "linux"\n  },\n}\n');
  });

  it('read: comments, trailing commas and nesting; only comments is no settings', () => {
    expect(parseJsonc('/* a */ { "x": [1, 2,], "y": { "z": null, }, } // b')).toEqual({ x: [1, 2], y: { z: null } });
    expect(parseJsonc('// nothing\n')).toEqual({});
  });
});

describe('settings.json that VS Code would not read as settings is refused, with file, line and column', () => {
  const refused = (text: string) => {
    try {
      plan(text);
    } catch (err) {
      expect(err).toBeInstanceOf(SetupError);
      return (err as SetupError).message;
    }
    throw new Error('not refused');
  };

  it('syntax errors', () => {
    expect(refused('{\n  "a": 1\n  "b": 2\n}')).toBe('/u/settings.json:3:3: expected ","');
    expect(refused("{\n  'a': 1\n}")).toBe('/u/settings.json:2:3: unexpected "\'"');
    expect(refused('{\n  "a": 1,\n')).toBe('/u/settings.json:3:1: expected a property name in double quotes');
    expect(refused('{\n  /* open\n  "a": 1\n}')).toBe('/u/settings.json:2:3: a /* comment is not closed');
    expect(refused('{\n  "a": "x\n"\n}')).toBe('/u/settings.json:2:8: a string is not closed');
    expect(refused('{}\n{}')).toBe('/u/settings.json:2:1: unexpected text after the settings object');
    expect(refused('\uFEFF{\n  "a" 1\n}')).toBe('/u/settings.json:2:7: expected ":" after a property name');
  });

  it('settings that are not an object', () => {
    expect(refused('[]')).toBe('/u/settings.json:1:1: the settings are not a JSON object');
    expect(refused('// x\n"text"')).toBe('/u/settings.json:2:1: the settings are not a JSON object');
  });

  // VS Code reads the last of two equal names; an edit would change the first.
  it('a property set twice', () => {
    expect(refused('{\n  "remote.SSH.connectTimeout": 10,\n  "remote.SSH.connectTimeout": 20\n}')).toBe(
      '/u/settings.json:3:3: "remote.SSH.connectTimeout" is set twice (also on line 2)',
    );
  });

  it('before anything is written: the plan stops, files stay as they were', () => {
    const home = tmp();
    const user = path.join(home, '.config', 'Code', 'User');
    fs.mkdirSync(user, { recursive: true });
    const settings = path.join(user, 'settings.json');
    const broken = '{\n  "editor.fontSize": 14\n  "x": 1\n}\n';
    fs.writeFileSync(settings, broken);
    const sshConfig = path.join(home, '.ssh', 'config');
    const answers = { host: 'login1', port: 22, user: 'ana', cluster: 'hpc', prefix: 'slurm', sshConfig, customConfig: false };
    const run = () =>
      planLocal({
        answers,
        laptop: { platform: 'linux', home, env: {} },
        key: { file: path.join(home, '.ssh', 'id_ed25519'), publicKey: '' },
        profiles: ['cpu'],
        sshProgram: 'ssh',
        connectTimeout: 480,
        vscode: true,
      });
    expect(run).toThrow(`${settings}:3:3: expected ","`);
    expect(fs.readFileSync(settings, 'utf8')).toBe(broken);
    expect(fs.readdirSync(user)).toEqual(['settings.json']);
    expect(fs.existsSync(path.join(home, '.ssh'))).toBe(false);
  });
});
