// `remote known-hosts <profile>|--current [<name>]`: the node's host keys of
// the profile's running transport = node-sshd job, as known_hosts lines. The
// laptop's ssh runs it as its KnownHostsCommand (with <name> = its
// HostKeyAlias), so it checks the node's real key with StrictHostKeyChecking
// on, while the job moves from node to node.
import { getProfile, loadConfig } from '../../config/index.js';
import { usageError } from '../../errors.js';
import { stateDir } from '../../paths.js';
import { isKnownHostsName, knownHostsLines } from '../../session/index.js';
import { contactsForProfile, readCurrent } from '../../state/index.js';
import { defineCommand } from '../../command.js';
import { print } from '../../output.js';

export const knownHostsCommand = defineCommand({
  name: 'known-hosts',
  summary: 'print the host keys of the node your transport = node-sshd session runs on, as known_hosts lines (the laptop\'s KnownHostsCommand)',
  usage: 'remote known-hosts <profile>|--current [<name>]',
  options: { current: { type: 'boolean' } },
  async run({ positionals, values }) {
    const current = values.current === true;
    if (positionals.length > (current ? 1 : 2) || (!current && positionals.length === 0)) {
      throw usageError('remote known-hosts takes a profile (or --current) and optionally the host name to print the keys under');
    }
    const state = stateDir();
    // A profile that is not in config.ini is a mistake in the laptop's ssh config: say so (exit 3).
    const profile = current ? readCurrent(state)?.profile : getProfile(loadConfig(), positionals[0]!).name;
    const name = current ? positionals[0] : positionals[1];
    if (name !== undefined && !isKnownHostsName(name)) throw usageError(`"${name}" cannot be a known_hosts host name`, 'give the HostKeyAlias of the laptop\'s ssh config (letters, digits, . _ - : @ [ ])');
    // Every live contact of the profile: the proxy picks the newest that answers.
    const contacts = profile === undefined ? [] : contactsForProfile(state, profile);
    const lines = [...new Set(contacts.flatMap((c) => knownHostsLines(c, name ?? c.node)))];
    if (lines.length === 0 && !current) {
      console.error(`slurmhop: no running transport = node-sshd job of profile ${profile}: no node host keys to print`);
    }
    for (const line of lines) print(line);
  },
});
