// The managed block of the laptop's ssh config: a login alias, one
// `Host <prefix>-<profile>` per profile and `Host <prefix>` for the current session, rendered by the ssh-config package
// (values quoted in src/templates/ssh-config-quote.ts), between marker comments.
import SSHConfig, { LineType, type Directive } from 'ssh-config';
import { DEFAULT_FRONT } from '../install-layout.js';
import { argvCommand, configArg, escapePercent, proxyCommand, type SshPlatform } from './ssh-config-quote.js';

export interface SshBlockInput {
  platform: SshPlatform;
  cluster: string;
  prefix: string;
  profiles: string[];
  /** Profiles with transport = node-sshd: the node's own sshd, its keys asked from the login node (KnownHostsCommand). */
  nodeSshdProfiles?: string[] | undefined;
  login: { host: string; port: number; user: string };
  /** Absolute path of the private key for the login node and the sessions. */
  identityFile: string;
  /** Where the login node's key is looked up: the user's known_hosts and slurmhop's. */
  loginKnownHosts: string[];
  /** slurmhop's known_hosts: the pinned job host key (and a login key the wizard accepted). */
  jobKnownHosts: string;
  /** Set when the config is not ~/.ssh/config: the ProxyCommand's ssh must read the same file. */
  sshConfigFile?: string | undefined;
  /** `ssh` on Linux and macOS; the full path of ssh.exe on Windows (no PATH lookup there). */
  sshProgram: string;
  /** The absolute path of ssh, for KnownHostsCommand (OpenSSH runs it without a PATH lookup); default sshProgram. */
  sshAbsolutePath?: string | undefined;
  /** Linux and macOS: the multiplexing socket's directory, so MFA is asked once. */
  controlDir?: string | undefined;
  /** The front of remote on the cluster, where setup installed it (default REMOTE_BINARY, relative to the home). */
  remote?: string | undefined;
}

export const SERVER_ALIVE_INTERVAL = '30';
export const CONTROL_PERSIST = '10m';
/** On the cluster, relative to the home directory, where every login shell starts (see TUTORIAL.md): the front of remote (install-layout.ts). */
export const REMOTE_BINARY = DEFAULT_FRONT;

export const blockBegin = (cluster: string) => `# >>> slurmhop ${cluster} >>>`;
export const blockEnd = (cluster: string) => `# <<< slurmhop ${cluster} <<<`;
export const hostKeyAlias = (cluster: string) => `slurmhop-${cluster}`;
/** transport = node-sshd: the nodes' own keys, never the job host key, under a name of their own. */
export const nodeHostKeyAlias = (cluster: string) => `slurmhop-${cluster}-nodes`;
export const profileHost = (prefix: string, profile: string) => `${prefix}-${profile}`;

type Value = string | Array<{ val: string; separator: string; quoted?: boolean }>;

function directive(param: string, value: Value, quoted = false): Directive {
  return { type: LineType.DIRECTIVE, before: '  ', after: '\n', param, separator: ' ', value, quoted };
}

/** A path argument: escaped for argv_split, %-escaped where OpenSSH expands tokens. */
function pathDirective(param: string, files: string[], platform: SshPlatform): Directive {
  const args = files.map((f) => escapePercent(configArg(f, platform)));
  if (args.length === 1) return directive(param, args[0]!, /\s/.test(args[0]!));
  return directive(param, args.map((val) => ({ val, separator: ' ', quoted: /\s/.test(val) })));
}

function section(host: string, lines: Directive[], before = '\n'): Directive & { config: SSHConfig } {
  const config = new SSHConfig();
  config.push(...lines);
  return { type: LineType.DIRECTIVE, before, after: '\n', param: 'Host', separator: ' ', value: host, config };
}

/** The block's text, with `\n` line endings (the caller converts for a CRLF file). */
export function renderSshConfigBlock(input: SshBlockInput): string {
  const { platform, cluster } = input;
  const identity = [pathDirective('IdentityFile', [input.identityFile], platform), directive('IdentitiesOnly', 'yes')];
  const login: Directive[] = [
    directive('HostName', input.login.host),
    directive('Port', String(input.login.port)),
    directive('User', input.login.user),
    ...identity,
    pathDirective('UserKnownHostsFile', input.loginKnownHosts, platform),
    directive('StrictHostKeyChecking', 'yes'),
  ];
  if (input.controlDir !== undefined && platform !== 'win32') {
    login.push(
      directive('ControlMaster', 'auto'),
      directive('ControlPath', `${escapePercent(configArg(input.controlDir, platform))}/slurmhop-%C`, /\s/.test(input.controlDir)),
      directive('ControlPersist', CONTROL_PERSIST),
    );
  }
  login.push(directive('ServerAliveInterval', SERVER_ALIVE_INTERVAL));

  const config = new SSHConfig();
  config.push(section(cluster, login, ''));
  // `Host <prefix>` follows the current session (remote swap/alloc move it), so an
  // open VS Code window reconnects onto the new node by itself.
  const targets: Array<[host: string, proxyArg: string]> = [
    ...input.profiles.map((profile): [string, string] => [profileHost(input.prefix, profile), profile]),
    [input.prefix, '--current'],
  ];
  const nodeSshd = new Set(input.nodeSshdProfiles ?? []);
  const loginArgs = ['-T', ...(input.sshConfigFile !== undefined ? ['-F', input.sshConfigFile] : []), cluster, input.remote ?? REMOTE_BINARY];
  for (const [host, proxyArg] of targets) {
    const words = [input.sshProgram, ...loginArgs, 'proxy', proxyArg];
    // The node's keys come from the job, through the login node, at each connect
    // (OpenSSH 8.5+); the current session may be on a node-sshd profile too.
    const askKeys = nodeSshd.has(proxyArg) || (proxyArg === '--current' && nodeSshd.size > 0);
    const knownHostsCommand = askKeys
      ? [
          directive('KnownHostsCommand', `${argvCommand([input.sshAbsolutePath ?? input.sshProgram, ...loginArgs, 'known-hosts', proxyArg], platform)} %H`),
          // The node keys are asked for at each connect: never stored (a `Host *` further down cannot turn this on).
          directive('UpdateHostKeys', 'no'),
        ]
      : [];
    config.push(
      section(host, [
        directive('ProxyCommand', proxyCommand(words, platform)),
        directive('HostKeyAlias', nodeSshd.has(proxyArg) ? nodeHostKeyAlias(cluster) : hostKeyAlias(cluster)),
        pathDirective('UserKnownHostsFile', [input.jobKnownHosts], platform),
        ...knownHostsCommand,
        directive('StrictHostKeyChecking', 'yes'),
        directive('User', input.login.user),
        ...identity,
        directive('ServerAliveInterval', SERVER_ALIVE_INTERVAL),
      ]),
    );
  }
  // Settings the user wrote before this block (outside any Host) must still
  // apply to every host after it: `Host *` closes the block's last section.
  config.push(section('*', []));
  const body = SSHConfig.stringify(config);
  return [
    blockBegin(cluster),
    '# Written by "slurmhop setup"; a rerun replaces everything between these',
    '# markers. Put your own settings outside them.',
    `${body}${blockEnd(cluster)}`,
    '',
  ].join('\n');
}
