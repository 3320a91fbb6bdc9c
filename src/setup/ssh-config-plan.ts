// The new ssh config: the existing file checked (OpenSSH must be able to read
// it, the markers must pair up), this cluster's block replaced or inserted,
// and the result checked: the block's security settings must be the ones
// OpenSSH will use for its hosts (nothing earlier in the file overrides them).
import { blockBegin, hostKeyAlias, nodeHostKeyAlias, profileHost, renderSshConfigBlock, type SshBlockInput } from '../templates/ssh-config-block.js';
import { setupError } from './errors.js';
import { effectiveSettings } from './effective-settings.js';
import { findBlocks, setBlock } from './managed-block.js';
import { checkSshConfigSyntax } from './ssh-config-syntax.js';
import type { Eol } from './text-file.js';
import { splitLines } from './text-file.js';

export interface SshConfigPlan {
  after: string;
  warnings: string[];
}

export function planSshConfig(before: string, file: string, input: SshBlockInput | undefined, cluster: string, eol: Eol): SshConfigPlan {
  checkSshConfigSyntax(before, file);
  findBlocks(before, file);
  if (input) checkDistinctHosts(cluster, input);
  const block = input && renderSshConfigBlock(input);
  const edit = setBlock(before, file, cluster, block, eol);
  const warnings: string[] = [];
  if (!input) return { after: edit.text, warnings };
  const blocks = findBlocks(edit.text, file);
  const span = blocks.get(cluster)!;
  const inBlock = (line: number) => line >= span.beginLine && line <= span.endLine;
  const check = (host: string, expect: Record<string, string>) => {
    const got = effectiveSettings(edit.text, host, Object.keys(expect));
    for (const [key, setting] of got) {
      if (inBlock(setting.line)) continue;
      const under = setting.maybeUnder ? `, under "${setting.maybeUnder.text}" (line ${setting.maybeUnder.line}), which may apply to ${host} (setup cannot tell),` : '';
      const what = setting.include
        ? `"${setting.value}" comes before the slurmhop block${under}; what it reads may set ${Object.keys(expect).join(', ')} for ${host} before the block does`
        : `"${key} ${setting.value}" comes before the slurmhop block${under} and would apply to ${host} instead of its own setting`;
      throw setupError('local-file', `${file}:${setting.line}: ${what}`, `move that line below the "${blockBegin(cluster)}" block (OpenSSH takes the first value it finds); nothing was written`);
    }
  };
  const nodeSshd = new Set(input.nodeSshdProfiles ?? []);
  for (const profile of input.profiles) {
    const alias = nodeSshd.has(profile) ? nodeHostKeyAlias(cluster) : hostKeyAlias(cluster);
    check(profileHost(input.prefix, profile), { proxycommand: '', hostkeyalias: alias, stricthostkeychecking: 'yes', userknownhostsfile: '', ...(nodeSshd.has(profile) ? { knownhostscommand: '' } : {}) });
  }
  check(input.prefix, { proxycommand: '', hostkeyalias: hostKeyAlias(cluster), stricthostkeychecking: 'yes', userknownhostsfile: '', ...(nodeSshd.size ? { knownhostscommand: '' } : {}) });
  check(cluster, { hostname: '', port: '', user: '', stricthostkeychecking: 'yes' });
  // Same host names outside the block: harmless (the block comes first), but confusing;
  // in another cluster's block, one of the two clusters would lose its hosts.
  const ours = new Set([cluster, input.prefix, ...input.profiles.map((p) => profileHost(input.prefix, p))]);
  const others = [...blocks].filter(([name]) => name !== cluster).map(([name, b]) => ({ name, first: b.beginLine, last: b.endLine }));
  for (const line of splitLines(edit.text)) {
    const m = /^\s*Host\s+(.*)$/i.exec(line.text);
    if (!m || inBlock(line.no)) continue;
    const dup = m[1]!.split(/\s+/).filter((h) => ours.has(h));
    if (!dup.length) continue;
    const other = others.find((o) => line.no >= o.first && line.no <= o.last);
    if (other) {
      throw setupError('usage', `${file}:${line.no}: "Host ${dup.join(' ')}" belongs to the slurmhop cluster "${other.name}"; this cluster's hosts would take its place`, `give this cluster other host names with --prefix (e.g. --prefix ${prefixFor(cluster)}); nothing was written`);
    }
    warnings.push(`${file}:${line.no}: "Host ${dup.join(' ')}" is also defined outside the slurmhop block; the block's settings win, so you may remove that section`);
  }
  return { after: edit.text, warnings };
}

/** The prefix a cluster gets when "slurm" is taken: not its own name, which is its login alias. */
export const prefixFor = (cluster: string) => `slurm-${cluster}`;

/**
 * The login alias (the cluster's name), `Host <prefix>` and each profile's
 * host must differ: ssh would merge two such sections, and a login alias with
 * the current session's ProxyCommand runs itself without end.
 */
function checkDistinctHosts(cluster: string, input: SshBlockInput): void {
  const roles: Array<[string, string]> = [
    [cluster, `the login alias of cluster "${cluster}"`],
    [input.prefix, 'the current session\'s host (--prefix)'],
    ...input.profiles.map((p): [string, string] => [profileHost(input.prefix, p), `profile ${p}'s host`]),
  ];
  const seen = new Map<string, string>();
  for (const [host, role] of roles) {
    const first = seen.get(host);
    if (first) throw setupError('usage', `"Host ${host}" would be both ${first} and ${role}`, `choose another --prefix (e.g. --prefix ${prefixFor(cluster)}) or --cluster name; nothing was written`);
    seen.set(host, role);
  }
}
