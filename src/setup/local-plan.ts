// Everything the wizard will write on the laptop, computed before anything is
// written anywhere: a file that cannot be read or parsed stops the wizard here.
import fs from 'node:fs';
import type { SshBlockInput } from '../templates/ssh-config-block.js';
import { hostKeyAlias, profileHost } from '../templates/ssh-config-block.js';
import { unsafeCharacter } from '../templates/ssh-config-quote.js';
import type { Answers } from './answers.js';
import { setupError } from './errors.js';
import { knownHostsName, replaceKnownHosts } from './known-hosts.js';
import { readText, type FileChange } from './local-files.js';
import { slurmhopKnownHosts, sshDir, userKnownHosts, vscodeUserDirs, type Laptop } from './laptop-paths.js';
import type { KeyPair } from './laptop-key.js';
import { planSshConfig } from './ssh-config-plan.js';
import { planVscodeSettings, settingsFile } from './vscode-settings.js';

export interface LocalInputs {
  answers: Answers;
  laptop: Laptop;
  key: KeyPair;
  profiles: string[];
  /** Those of `profiles` with transport = node-sshd. */
  nodeSshdProfiles?: string[];
  sshProgram: string;
  /** The absolute path of ssh (KnownHostsCommand), when nodeSshdProfiles need it. */
  sshAbsolutePath?: string;
  connectTimeout: number;
  vscode: boolean;
  /** remote.SSH.serverInstallPath for the hosts, when the user chose one. */
  vscodeServerPath?: string | undefined;
  /** Why VS Code's server directory on the cluster cannot hold a lock, if it cannot. */
  noLocksInHome?: string | undefined;
  /** The front of remote on the cluster, when not ~/.local/bin/remote (install-place.ts). */
  remote?: string | undefined;
}

export interface LocalPlan {
  changes: FileChange[];
  warnings: string[];
  hosts: string[];
}

export function blockInput(i: LocalInputs): SshBlockInput {
  const { answers: a, laptop } = i;
  for (const [what, value] of [
    ['the ssh config path', a.sshConfig],
    ['the key path', i.key.file],
    ['your home directory', laptop.home],
    ['the ssh program path', i.sshProgram],
  ] as const) {
    const bad = unsafeCharacter(value, laptop.platform);
    if (bad) throw setupError('usage', `${what} (${value}) contains ${bad}, which an ssh config cannot carry safely`, 'use a path without it');
  }
  return {
    platform: laptop.platform,
    cluster: a.cluster,
    prefix: a.prefix,
    profiles: i.profiles,
    nodeSshdProfiles: i.nodeSshdProfiles,
    sshAbsolutePath: i.sshAbsolutePath,
    login: { host: a.host, port: a.port, user: a.user },
    identityFile: i.key.file,
    loginKnownHosts: [userKnownHosts(laptop), slurmhopKnownHosts(laptop)],
    jobKnownHosts: slurmhopKnownHosts(laptop),
    sshConfigFile: a.customConfig ? a.sshConfig : undefined,
    sshProgram: i.sshProgram,
    controlDir: controlDirFor(laptop),
    remote: i.remote,
  };
}

/**
 * Where ssh's connection-sharing socket goes (none on Windows): ~/.ssh, unless
 * the socket's path would not fit a Unix socket address (104 bytes on macOS,
 * 108 on Linux, with the 17-character suffix ssh adds while it creates it).
 */
export function controlDirFor(laptop: Laptop): string | undefined {
  if (laptop.platform === 'win32') return undefined;
  const dir = sshDir(laptop);
  return Buffer.byteLength(`${dir}/slurmhop-${'0'.repeat(40)}.${'0'.repeat(16)}`) < 104 ? dir : undefined;
}

export function planLocal(i: LocalInputs): LocalPlan {
  const { answers: a, laptop } = i;
  const changes: FileChange[] = [];
  const before = readText(a.sshConfig);
  const eol = laptop.platform === 'win32' ? '\r\n' : '\n';
  const ssh = planSshConfig(before ?? '', a.sshConfig, blockInput(i), a.cluster, eol);
  changes.push({ file: a.sshConfig, before, after: ssh.after, mode: 0o600, backup: true });
  const hosts = [a.cluster, ...i.profiles.map((p) => profileHost(a.prefix, p)), a.prefix];
  const warnings = [...ssh.warnings];
  if (laptop.platform !== 'win32' && controlDirFor(laptop) === undefined) {
    warnings.push(`${sshDir(laptop)} is too long a path for ssh's connection-sharing socket: each connect logs in to ${a.host} anew (a second factor is asked each time)`);
  }
  if (i.vscode) {
    for (const dir of vscodeUserDirs(laptop).filter((d) => fs.existsSync(d))) {
      const file = settingsFile(dir);
      const text = readText(file);
      const after = planVscodeSettings(text, file, {
        hosts,
        connectTimeout: i.connectTimeout,
        sshConfigFile: a.customConfig ? a.sshConfig : undefined,
        sshPath: laptop.platform === 'win32' ? i.sshProgram : undefined,
        serverInstallPath: i.vscodeServerPath,
        noLocksInHome: i.noLocksInHome,
        warn: (message) => warnings.push(message),
      });
      changes.push({ file, before: text, after, mode: 0o600, backup: true });
    }
  }
  return { changes, warnings, hosts };
}

/** slurmhop's known_hosts: the job host key under the alias, and a login key the user just accepted. */
export function planKnownHosts(laptop: Laptop, a: Answers, jobKey: string, newLoginKey?: { type: string; key: string }): FileChange {
  const file = slurmhopKnownHosts(laptop);
  const before = readText(file);
  const lines = [];
  if (newLoginKey) lines.push(`${knownHostsName(a.host, a.port)} ${newLoginKey.type} ${newLoginKey.key}`);
  lines.push(`${hostKeyAlias(a.cluster)} ${jobKey}`);
  const names = [hostKeyAlias(a.cluster), ...(newLoginKey ? [knownHostsName(a.host, a.port)] : [])];
  return { file, before, after: replaceKnownHosts(before ?? '', names, lines), mode: 0o600, backup: false };
}

export function planKeyFiles(key: KeyPair): FileChange[] {
  if (!key.create) return [];
  return [
    { file: key.file, before: undefined, after: key.create.private, mode: 0o600, backup: false, secret: true },
    { file: `${key.file}.pub`, before: undefined, after: key.create.public, mode: 0o644, backup: false },
  ];
}
