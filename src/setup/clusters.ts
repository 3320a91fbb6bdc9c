// The clusters setup configured, as the laptop command finds them: a small
// registry (which ssh config holds each cluster's block), and the block itself,
// which says the rest (the login alias, the prefix, one host per profile).
// Without a registry (a setup from before it), ~/.ssh/config's blocks count.
import path from 'node:path';
import SSHConfig, { type Line } from 'ssh-config';
import { setupError } from './errors.js';
import { defaultSshConfig, laptopConfigDir, type Laptop } from './laptop-paths.js';
import { FRONT_IN_ROOT } from '../install-layout.js';
import { REMOTE_BINARY } from '../templates/ssh-config-block.js';
import { findBlocks } from './managed-block.js';
import { applyChange, readText, withFileLock } from './local-files.js';

export interface ConfiguredCluster {
  name: string;
  sshConfig: string;
  /** The login node's alias (the block's `Host <cluster>`). */
  login: string;
  loginTarget: { host?: string; port?: string; user?: string };
  /** `Host <prefix>`: follows the current session. */
  prefix?: string;
  profiles: Array<{ profile: string; host: string }>;
  identityFile?: string;
  /** The front of remote on the cluster, as the block's ProxyCommand runs it (relative to the home, or absolute). */
  remote?: string;
}

/** The front and the profile (or --current) in a block's ProxyCommand: `... .local/bin/remote proxy ARG` (or an absolute .../bin/remote). */
const PROXY_ARG = new RegExp(`(\\S*/${FRONT_IN_ROOT.replace(/\./g, '\\.')}) proxy (\\S+)`);

const registryFile = (l: Laptop) => path.join(laptopConfigDir(l), 'clusters.json');

type Registry = Record<string, { sshConfig: string }>;

function readRegistry(l: Laptop): Registry | undefined {
  const text = readText(registryFile(l));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { clusters?: Registry };
    return value.clusters ?? {};
  } catch {
    throw setupError('local-file', `${registryFile(l)} cannot be read as JSON`, 'remove it and run "slurmhop setup" again for each cluster');
  }
}

/** Records (or, with `sshConfig` undefined, forgets) where a cluster's block is. */
export function recordCluster(l: Laptop, name: string, sshConfig: string | undefined): void {
  const file = registryFile(l);
  // Read and written under its lock: two setups at once each add their cluster.
  withFileLock(file, () => {
    // The first record starts from the blocks that counted without one (~/.ssh/config's).
    const clusters = { ...(readRegistry(l) ?? Object.fromEntries(configuredClusters(l).map((c) => [c.name, { sshConfig: c.sshConfig }]))) };
    if (sshConfig === undefined) delete clusters[name];
    else clusters[name] = { sshConfig };
    applyChange({ file, before: readText(file), after: `${JSON.stringify({ clusters }, null, 2)}\n`, mode: 0o600, backup: false }, new Date());
  });
}

export function configuredClusters(l: Laptop): ConfiguredCluster[] {
  const registry = readRegistry(l);
  const files = registry ? [...new Set(Object.values(registry).map((c) => c.sshConfig))] : [defaultSshConfig(l)];
  return files
    .flatMap((file) => blocksIn(file).filter((c) => !registry || registry[c.name]?.sshConfig === file))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every slurmhop block of an ssh config file, whatever the registry says. */
export function blocksIn(file: string): ConfiguredCluster[] {
  const text = readText(file);
  if (text === undefined) return [];
  return [...findBlocks(text, file)].map(([name, span]) => parseBlock(name, file, text.slice(span.start, span.end)));
}

/** The one cluster meant: the one named, or the only one. */
export function pickCluster(l: Laptop, name: string | undefined): ConfiguredCluster {
  const all = configuredClusters(l);
  if (all.length === 0) throw setupError('usage', 'no cluster is set up on this computer', 'run "slurmhop setup" first');
  if (name !== undefined) {
    const c = all.find((x) => x.name === name);
    if (!c) throw setupError('usage', `no cluster named "${name}" is set up (set up: ${all.map((x) => x.name).join(', ')})`, 'see "slurmhop clusters"');
    return c;
  }
  if (all.length > 1) throw setupError('usage', `several clusters are set up: ${all.map((x) => x.name).join(', ')}`, 'name one with --cluster NAME');
  return all[0]!;
}

function parseBlock(name: string, sshConfig: string, text: string): ConfiguredCluster {
  const cluster: ConfiguredCluster = { name, sshConfig, login: name, loginTarget: {}, profiles: [] };
  for (const line of SSHConfig.parse(text)) {
    if (!isSection(line) || typeof line.value !== 'string') continue;
    const value = (param: string) => {
      const d = line.config.find((l: Line) => 'param' in l && l.param.toLowerCase() === param.toLowerCase());
      if (!d || !('value' in d)) return undefined;
      // ssh-config gives a value of several words (ProxyCommand) as its tokens.
      return Array.isArray(d.value) ? d.value.map((t: { val: string }) => t.val).join(' ') : typeof d.value === 'string' ? d.value : undefined;
    };
    const proxy = PROXY_ARG.exec(value('ProxyCommand') ?? '');
    if (line.value === name) {
      cluster.loginTarget = { host: value('HostName'), port: value('Port'), user: value('User') };
      cluster.identityFile = value('IdentityFile');
    } else if (proxy?.[2] === '--current') cluster.prefix = line.value;
    else if (proxy) cluster.profiles.push({ profile: proxy[2]!, host: line.value });
    // Set where setup chose another place than ~/.local (install-place.ts).
    if (proxy && proxy[1] !== REMOTE_BINARY) cluster.remote = proxy[1]!;
  }
  return cluster;
}

const isSection = (line: Line): line is Line & { param: string; value: string; config: Line[] } => 'config' in line && 'param' in line && line.param.toLowerCase() === 'host';
