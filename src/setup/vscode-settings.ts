// VS Code Remote-SSH settings for hosts reached through a ProxyCommand that may
// wait for a Slurm job: a connect timeout above the pending timeout, the
// platform of each host (so it is not asked), the login terminal (job progress
// and MFA prompts show there), the server and the extensions downloaded by the
// laptop and copied over (compute nodes often have no internet), lock files in
// /tmp only where the home cannot hold a lock (names in a /tmp shared by every
// user can be taken first by another), optionally where the server goes on the
// cluster (a small $HOME), and on Windows the ssh.exe the config was written
// for. Comments in settings.json stay.
import path from 'node:path';
import { setupError } from './errors.js';
import { JsoncError, parseJsonc, position, removeJsoncProperty, setJsoncProperty } from './jsonc.js';

export interface VscodeInput {
  hosts: string[];
  connectTimeout: number;
  sshConfigFile?: string | undefined;
  sshPath?: string | undefined;
  /** remote.SSH.serverInstallPath for `hosts` (the server then lives in PATH/.vscode-server). */
  serverInstallPath?: string | undefined;
  /** Why the server's directory on the cluster cannot hold a lock (then lock files go to /tmp); undefined when it can. */
  noLocksInHome?: string | undefined;
  /** Told when a setting the hosts need is left as the user chose it. */
  warn?: (message: string) => void;
}

function parsed(text: string, file: string): Record<string, unknown> {
  try {
    const value = parseJsonc(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JsoncError('the settings are not a JSON object', 0);
    return value as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof JsoncError)) throw err;
    throw setupError('local-file', `${file}:${position(text, err.offset)}: ${err.message}`, 'fix the file in VS Code (it shows the error), or pass --no-vscode; nothing was written');
  }
}

export function planVscodeSettings(text: string | undefined, file: string, input: VscodeInput): string {
  let out = text === undefined || text.trim() === '' ? '{}\n' : text;
  const current = parsed(out, file);
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
  const inTmp = current['remote.SSH.lockfilesInTmp'];
  if (input.noLocksInHome !== undefined) {
    if (inTmp !== true) set(['remote.SSH.lockfilesInTmp'], true);
    input.warn?.(`${file}: "remote.SSH.lockfilesInTmp" is true because ${input.noLocksInHome}; VS Code's lock files then go to /tmp on the login node, where another user could create them first`);
  } else if (inTmp === true) {
    input.warn?.(`${file}: "remote.SSH.lockfilesInTmp" is true, kept; the cluster's home can hold VS Code's lock files, and in /tmp another user could create them first: remove the setting unless you set it for a reason`);
  }
  // Global settings: "always" and true work for every host; only the user's own other choice is kept.
  const download = current['remote.SSH.localServerDownload'];
  if (download === undefined) set(['remote.SSH.localServerDownload'], 'always');
  else if (download !== 'always') {
    input.warn?.(`${file}: "remote.SSH.localServerDownload" is ${JSON.stringify(download)}, kept; on compute nodes without internet VS Code's server then cannot install itself ("always" lets the laptop fetch it and copy it over)`);
  }
  const extensions = current['remote.downloadExtensionsLocally'];
  if (extensions === undefined) set(['remote.downloadExtensionsLocally'], true);
  else if (extensions !== true) {
    input.warn?.(`${file}: "remote.downloadExtensionsLocally" is ${JSON.stringify(extensions)}, kept; on compute nodes without internet extensions then cannot install themselves (true lets the laptop fetch them and copy them over)`);
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

/**
 * An uninstall: the entries slurmhop made for `hosts` (their platform, their
 * server path) go; global settings stay (they do no harm to other hosts, and
 * the user may rely on them).
 */
export function removeVscodeHosts(text: string, file: string, hosts: string[]): string {
  const current = parsed(text, file);
  let out = text;
  for (const key of ['remote.SSH.remotePlatform', 'remote.SSH.serverInstallPath']) {
    const value = current[key];
    if (typeof value !== 'object' || value === null) continue;
    for (const host of hosts) if (host in value) out = removeJsoncProperty(out, [key, host]);
  }
  return out;
}

export const settingsFile = (userDir: string) => path.join(userDir, 'settings.json');
