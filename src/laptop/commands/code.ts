// `slurmhop code <profile> [REMOTE_PATH]`: the profile's job made ready (with
// the same progress lines as a connect: `remote alloc`), then VS Code opened
// on it through Remote-SSH (`code --remote ssh-remote+HOST PATH`). Without
// `code` on PATH nothing is submitted: it says how to get it, and what works
// without it.
import fs from 'node:fs';
import path from 'node:path';
import { setupError, type ConfiguredCluster, type Laptop } from '../../setup/index.js';
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import type { LaptopEnv } from '../env.js';
import { clusterFolder, profileTarget } from '../profile.js';
import { runRemote, sshToLogin } from '../ssh.js';

export const codeCommand: LaptopCommand = {
  name: 'code',
  summary: "open VS Code on a profile's job (made ready first), in REMOTE_PATH (default: your home there)",
  usage: 'slurmhop code <profile> [REMOTE_PATH] [--cluster NAME] [--new-window|--reuse-window]',
  help: {
    what: 'Gets the profile\'s job ready (as "slurmhop alloc"), then opens VS Code on it through Remote-SSH, in REMOTE_PATH (absolute, or under your home on the cluster; default: your home). VS Code\'s "code" command must be on PATH: it is checked before any job is submitted.',
    options: [
      ['REMOTE_PATH', 'the folder on the cluster; ~/x means x in your home there'],
      ['--new-window, -n', 'a new VS Code window'],
      ['--reuse-window, -r', 'the last active window'],
      CLUSTER_OPTION,
    ],
    examples: ['slurmhop code gpu', 'slurmhop code cpu ~/project --new-window'],
  },
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    const windowFlags = rest.filter((a) => ['--new-window', '-n', '--reuse-window', '-r'].includes(a));
    const [profile, remotePath, ...extra] = rest.filter((a) => !windowFlags.includes(a));
    if (!profile || extra.length || profile.startsWith('-')) throw setupError('usage', `usage: ${this.usage}`);
    const { cluster: c, host, sshLine } = profileTarget(env, cluster, profile);
    const code = findCode(env.laptop);
    if (!code) {
      throw setupError('missing-program', `VS Code's "code" command is not on PATH: no job was submitted`, `${codeHint(env.laptop, host)}; in a terminal, "${sshLine}" lands on the job`);
    }
    const alloc = await runRemote(env, c.name, ['alloc', profile]);
    if (alloc.exitCode !== 0) return alloc.exitCode;
    const folder = await remoteFolder(env, c, remotePath);
    env.err(`slurmhop: opening VS Code on ${host}:${folder} (in a terminal: ${sshLine})\n`);
    const opened = await env.run(code, [...windowFlags, '--remote', `ssh-remote+${host}`, folder]);
    return opened.exitCode;
  },
};

/**
 * An absolute folder on the cluster: as given, or under the home directory
 * there. `~/x` typed in the laptop's shell arrives as the laptop's home + /x:
 * that means the home on the cluster too.
 */
async function remoteFolder(env: LaptopEnv, c: ConfiguredCluster, typed: string | undefined): Promise<string> {
  const rest = clusterFolder(env.laptop.home, typed);
  if (rest.startsWith('/')) return rest;
  // The last line: a login shell may print something first.
  const home = (await sshToLogin(env, c, ['-T', c.login, 'echo $HOME'], { capture: true })).stdout.trim().split('\n').at(-1)!.trim();
  if (!home.startsWith('/')) throw setupError('connect', `cannot read your home directory on ${c.login}`, 'give REMOTE_PATH as an absolute path');
  return rest ? path.posix.join(home, rest) : home;
}

/** VS Code's command: on PATH, else where the macOS app keeps it. */
export function findCode(l: Laptop, exists: (f: string) => boolean = fs.existsSync): string | undefined {
  const sep = l.platform === 'win32' ? ';' : ':';
  const names = l.platform === 'win32' ? ['code.cmd', 'code.exe'] : ['code'];
  const join = l.platform === 'win32' ? path.win32.join : path.posix.join;
  for (const dir of (l.env.PATH ?? l.env.Path ?? '').split(sep).filter(Boolean)) {
    for (const name of names) if (exists(join(dir, name))) return join(dir, name);
  }
  const mac = '/Applications/Visual Studio Code.app/Contents/Resources/app/bin/code';
  return l.platform === 'darwin' && exists(mac) ? mac : undefined;
}

function codeHint(l: Laptop, host: string): string {
  const how =
    l.platform === 'darwin'
      ? 'in VS Code: Command Palette > "Shell Command: Install \'code\' command in PATH"'
      : l.platform === 'win32'
        ? 'reinstall VS Code with "Add to PATH" ticked, then open a new terminal'
        : 'install VS Code from your distribution or code.visualstudio.com (it provides /usr/bin/code)';
  return `to get "code": ${how}; meanwhile, in VS Code: Remote-SSH: Connect to Host... > ${host}`;
}
