// What an uninstall changes on the laptop, planned before anything is done:
// the cluster's block, its pinned job host keys, the login node's host key
// (kept for plain ssh: moved to ~/.ssh/known_hosts when only slurmhop's file
// had it), VS Code's entries for its hosts, and the keys slurmhop made.
import fs from 'node:fs';
import path from 'node:path';
import { hostKeyAlias, nodeHostKeyAlias, profileHost } from '../templates/ssh-config-block.js';
import type { Answers } from './answers.js';
import type { ConfiguredCluster } from './clusters.js';
import { knownHostsName, parseKnownHosts, replaceKnownHosts } from './known-hosts.js';
import { defaultKey, slurmhopKnownHosts, sshDir, userKnownHosts, vscodeUserDirs, type Laptop } from './laptop-paths.js';
import { readText, type FileChange } from './local-files.js';
import { planSshConfig } from './ssh-config-plan.js';
import { removeVscodeHosts, settingsFile } from './vscode-settings.js';

export interface UninstallPlan {
  changes: FileChange[];
  /** Other configured clusters whose login node shares this one's home (the same job host key, or the same login). */
  sharing: string[];
  /** slurmhop's own key pair for the cluster, removed with its line in authorized_keys (unless another cluster uses it). */
  ownKey?: string | undefined;
  /** What is said of the login node's host key. */
  loginKeyNote?: string | undefined;
}

export const agentPublicKey = (l: Laptop, cluster: string) => path.join(sshDir(l), `slurmhop_${cluster}_agent.pub`);

export function planUninstall(l: Laptop, a: Answers, others: ConfiguredCluster[]): UninstallPlan {
  const changes: FileChange[] = [];
  const eol = l.platform === 'win32' ? '\r\n' : '\n';
  const before = readText(a.sshConfig);
  if (before !== undefined) changes.push({ file: a.sshConfig, before, after: planSshConfig(before, a.sshConfig, undefined, a.cluster, eol).after, mode: 0o600, backup: true });

  const kh = slurmhopKnownHosts(l);
  const khText = readText(kh) ?? '';
  const entries = parseKnownHosts(khText, kh);
  const jobKey = entries.find((e) => e.names === hostKeyAlias(a.cluster))?.key;
  const sharing = others
    .filter((o) => (jobKey !== undefined && entries.some((e) => e.names === hostKeyAlias(o.name) && e.key === jobKey)) || (o.loginTarget.host === a.host && Number(o.loginTarget.port ?? 22) === a.port && o.loginTarget.user === a.user))
    .map((o) => o.name);
  const loginName = knownHostsName(a.host, a.port);
  const loginUsedElsewhere = others.some((o) => o.loginTarget.host === a.host && Number(o.loginTarget.port ?? 22) === a.port);
  const loginLines = loginUsedElsewhere ? [] : entries.filter((e) => e.names === loginName && !e.marker);
  const drop = [hostKeyAlias(a.cluster), nodeHostKeyAlias(a.cluster), ...(loginLines.length ? [loginName] : [])];
  if (khText !== '') changes.push({ file: kh, before: khText, after: replaceKnownHosts(khText, drop, []) || undefined, mode: 0o600, backup: false });

  let loginKeyNote: string | undefined;
  if (loginLines.length) {
    const user = userKnownHosts(l);
    const userText = readText(user);
    const have = parseKnownHosts(userText ?? '', user).some((e) => loginLines.some((x) => x.key === e.key && e.names.split(',').includes(loginName)));
    if (!have) {
      const add = loginLines.map((e) => `${loginName} ${e.type} ${e.key}`).join('\n');
      const text = userText ?? '';
      changes.push({ file: user, before: userText, after: `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${add}\n`, mode: 0o600, backup: true });
      loginKeyNote = `the login node's host key (which you accepted during setup) moves to ${user}: plain ssh to ${a.host} keeps working`;
    }
  }

  const hosts = [a.cluster, a.prefix, ...(a.previous?.profiles.map((p) => p.host) ?? [profileHost(a.prefix, 'cpu'), profileHost(a.prefix, 'gpu')])];
  for (const dir of vscodeUserDirs(l).filter((d) => fs.existsSync(d))) {
    const file = settingsFile(dir);
    const text = readText(file);
    if (text !== undefined) changes.push({ file, before: text, after: removeVscodeHosts(text, file, hosts), mode: 0o600, backup: true });
  }

  const own = defaultKey(l, a.cluster);
  const ownKey = a.identity === undefined && fs.existsSync(own) ? own : undefined;
  const agentPub = agentPublicKey(l, a.cluster);
  for (const file of [...(ownKey ? [ownKey, `${ownKey}.pub`] : []), ...(a.identity === agentPub ? [agentPub] : [])]) {
    if (fs.existsSync(file) || isLink(file)) changes.push({ file, before: '(key)', after: undefined, mode: 0o600, backup: false, secret: true });
  }
  return { changes, sharing, ownKey, loginKeyNote };
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
