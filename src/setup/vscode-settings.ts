// VS Code Remote-SSH settings for hosts reached through a ProxyCommand that may
// wait for a Slurm job: a connect timeout above the pending timeout, the
// platform of each host (so it is not asked), the login terminal (job progress
// and MFA prompts show there), lock files in /tmp (homes are on NFS), the
// server downloaded by the laptop and copied over (compute nodes often have no
// internet), optionally where the server goes on the cluster (a small $HOME),
// and on Windows the ssh.exe the config was written for. Comments in
// settings.json stay.
import path from 'node:path';
import { setupError } from './errors.js';
import { JsoncError, parseJsonc, position, setJsoncProperty } from './jsonc.js';

export interface VscodeInput {
  hosts: string[];
  connectTimeout: number;
  sshConfigFile?: string | undefined;
  sshPath?: string | undefined;
  /** remote.SSH.serverInstallPath for `hosts` (the server then lives in PATH/.vscode-server). */
  serverInstallPath?: string | undefined;
  /** Told when a setting the hosts need is left as the user chose it. */
  warn?: (message: string) => void;
}

export function planVscodeSettings(text: string | undefined, file: string, input: VscodeInput): string {
  let out = text === undefined || text.trim() === '' ? '{}\n' : text;
  let current: Record<string, unknown>;
  try {
    const value = parseJsonc(out);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JsoncError('the settings are not a JSON object', 0);
    current = value as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof JsoncError)) throw err;
    throw setupError('local-file', `${file}:${position(out, err.offset)}: ${err.message}`, 'fix the file in VS Code (it shows the error), or pass --no-vscode; nothing was written');
  }
  const set = (keyPath: string[], value: unknown) => {
    out = setJsoncProperty(out, keyPath, value);
  };
  const timeout = current['remote.SSH.connectTimeout'];
  if (typeof timeout !== 'number' || timeout < input.connectTimeout) set(['remote.SSH.connectTimeout'], input.connectTimeout);
  const platforms = current['remote.SSH.remotePlatform'];
  for (const host of input.hosts) {
    const known = typeof platforms === 'object' && platforms !== null ? (platforms as Record<string, unknown>)[host] : undefined;
    if (known !== 'linux') set(['remote.SSH.remotePlatform', host], 'linux');
  }
  if (current['remote.SSH.showLoginTerminal'] !== true) set(['remote.SSH.showLoginTerminal'], true);
  if (current['remote.SSH.lockfilesInTmp'] !== true) set(['remote.SSH.lockfilesInTmp'], true);
  // A global setting: "always" works for every host, only the user's own other choice is kept.
  const download = current['remote.SSH.localServerDownload'];
  if (download === undefined) set(['remote.SSH.localServerDownload'], 'always');
  else if (download !== 'always') {
    input.warn?.(`${file}: "remote.SSH.localServerDownload" is ${JSON.stringify(download)}, kept; on compute nodes without internet VS Code's server then cannot install itself ("always" lets the laptop fetch it and copy it over)`);
  }
  if (input.serverInstallPath !== undefined) {
    const paths = current['remote.SSH.serverInstallPath'];
    for (const host of input.hosts) {
      const known = typeof paths === 'object' && paths !== null ? (paths as Record<string, unknown>)[host] : undefined;
      if (known !== input.serverInstallPath) set(['remote.SSH.serverInstallPath', host], input.serverInstallPath);
    }
  }
  if (input.sshConfigFile !== undefined && current['remote.SSH.configFile'] !== input.sshConfigFile) set(['remote.SSH.configFile'], input.sshConfigFile);
  if (input.sshPath !== undefined && current['remote.SSH.path'] !== input.sshPath) set(['remote.SSH.path'], input.sshPath);
  return out;
}

export const settingsFile = (userDir: string) => path.join(userDir, 'settings.json');
