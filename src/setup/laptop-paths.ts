// Where things live on the laptop (Linux, macOS, Windows). Paths are absolute:
// OpenSSH expands `~` from the password database, not from $HOME, so written
// paths are spelled out in full.
import fs from 'node:fs';
import path from 'node:path';
import { setupError } from './errors.js';

export interface Laptop {
  platform: 'linux' | 'darwin' | 'win32';
  home: string;
  env: NodeJS.ProcessEnv;
}

const p = (l: Laptop) => (l.platform === 'win32' ? path.win32 : path.posix);

export const sshDir = (l: Laptop) => p(l).join(l.home, '.ssh');
export const defaultSshConfig = (l: Laptop) => p(l).join(sshDir(l), 'config');
export const userKnownHosts = (l: Laptop) => p(l).join(sshDir(l), 'known_hosts');
export const slurmhopKnownHosts = (l: Laptop) => p(l).join(sshDir(l), 'slurmhop_known_hosts');
export const defaultKey = (l: Laptop, cluster: string) => p(l).join(sshDir(l), `slurmhop_${cluster}_ed25519`);

/** The files OpenSSH reads for host keys, user's first. */
export function knownHostsFiles(l: Laptop): string[] {
  const user = [userKnownHosts(l), `${userKnownHosts(l)}2`, slurmhopKnownHosts(l)];
  const global =
    l.platform === 'win32'
      ? [p(l).join(l.env.ProgramData ?? 'C:\\ProgramData', 'ssh', 'ssh_known_hosts')]
      : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  return [...user, ...global];
}

/** The usual private keys OpenSSH tries. */
export const defaultIdentities = (l: Laptop) => ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => p(l).join(sshDir(l), n));

export function agentSocket(l: Laptop): string | undefined {
  if (l.env.SSH_AUTH_SOCK) return l.env.SSH_AUTH_SOCK;
  return l.platform === 'win32' ? '\\\\.\\pipe\\openssh-ssh-agent' : undefined;
}

/**
 * The ssh the ProxyCommand runs. Windows runs ProxyCommand without a shell or a
 * PATH search, so it needs the full path of ssh.exe: Windows' own OpenSSH first.
 */
export function sshProgram(l: Laptop, exists: (f: string) => boolean = fs.existsSync): string | undefined {
  if (l.platform !== 'win32') return 'ssh';
  const root = l.env.SystemRoot ?? l.env.windir ?? 'C:\\Windows';
  const inbox = path.win32.join(root, 'System32', 'OpenSSH', 'ssh.exe');
  if (exists(inbox)) return inbox;
  for (const dir of (l.env.Path ?? l.env.PATH ?? '').split(';').filter(Boolean)) {
    const candidate = path.win32.join(dir, 'ssh.exe');
    if (exists(candidate)) return candidate;
  }
  return undefined;
}

/** sshProgram, or the error that says how to get one (only Windows can lack it). */
export function requireSshProgram(l: Laptop): string {
  const ssh = sshProgram(l);
  if (!ssh) throw setupError('local-file', 'no ssh.exe found (looked in System32\\OpenSSH and PATH)', 'install the OpenSSH client: Settings > Apps > Optional features > OpenSSH Client');
  return ssh;
}

/** The ssh a command OpenSSH runs without a shell needs (KnownHostsCommand): an absolute path, found on PATH. */
export function sshAbsolutePath(l: Laptop, exists: (f: string) => boolean = fs.existsSync): string | undefined {
  if (l.platform === 'win32') return sshProgram(l, exists);
  return (l.env.PATH ?? '/usr/bin:/bin').split(':').filter((d) => d.startsWith('/')).map((d) => path.posix.join(d, 'ssh')).find(exists);
}

/** VS Code's user settings directories (stable and Insiders), whether or not they exist. */
export function vscodeUserDirs(l: Laptop): string[] {
  const base =
    l.platform === 'win32'
      ? (l.env.APPDATA ?? path.win32.join(l.home, 'AppData', 'Roaming'))
      : l.platform === 'darwin'
        ? path.posix.join(l.home, 'Library', 'Application Support')
        : (l.env.XDG_CONFIG_HOME ?? path.posix.join(l.home, '.config'));
  return ['Code', 'Code - Insiders'].map((app) => p(l).join(base, app, 'User'));
}

/** The laptop command's own settings (the clusters setup configured): XDG on Linux, the platform's place elsewhere. */
export function laptopConfigDir(l: Laptop): string {
  if (l.platform === 'win32') return p(l).join(l.env.APPDATA ?? p(l).join(l.home, 'AppData', 'Roaming'), 'slurmhop');
  if (l.platform === 'darwin') return p(l).join(l.home, 'Library', 'Application Support', 'slurmhop');
  return p(l).join(l.env.XDG_CONFIG_HOME || p(l).join(l.home, '.config'), 'slurmhop');
}

/** What the laptop command keeps to reuse: the `remote` executables it made (setup/remote-binary.ts). */
export function laptopCacheDir(l: Laptop): string {
  if (l.platform === 'win32') return p(l).join(l.env.LOCALAPPDATA ?? p(l).join(l.home, 'AppData', 'Local'), 'slurmhop', 'Cache');
  if (l.platform === 'darwin') return p(l).join(l.home, 'Library', 'Caches', 'slurmhop');
  return p(l).join(l.env.XDG_CACHE_HOME || p(l).join(l.home, '.cache'), 'slurmhop');
}
