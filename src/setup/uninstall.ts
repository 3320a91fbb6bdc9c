// --uninstall: remove this cluster's block and its pinned job host key; after a
// yes, also the binary, config.ini and the key on the cluster. Another
// cluster's block is left alone.
import fs from 'node:fs';
import { hostKeyAlias } from '../templates/ssh-config-block.js';
import type { Answers } from './answers.js';
import type { SetupArgs } from './args.js';
import { removeAuthorizedKey, uninstallOnCluster } from './cluster-files.js';
import { recordCluster } from './clusters.js';
import { probeCluster } from './cluster-probe.js';
import type { SetupDeps } from './deps.js';
import { parseKnownHosts } from './known-hosts.js';
import { replaceKnownHosts } from './known-hosts.js';
import { defaultKey, knownHostsFiles, slurmhopKnownHosts, agentSocket } from './laptop-paths.js';
import { existingKeyPair } from './laptop-key.js';
import { applyChange, changed, describeChange, type FileChange } from './local-files.js';
import { readText } from './local-files.js';
import { planSshConfig } from './ssh-config-plan.js';

export async function runUninstall(a: Answers, args: SetupArgs, deps: SetupDeps): Promise<void> {
  const { laptop, report } = deps;
  const before = readText(a.sshConfig);
  const changes: FileChange[] = [];
  const eol = laptop.platform === 'win32' ? '\r\n' : '\n';
  if (before !== undefined) {
    changes.push({ file: a.sshConfig, before, after: planSshConfig(before, a.sshConfig, undefined, a.cluster, eol).after, mode: 0o600, backup: true });
  }
  const kh = slurmhopKnownHosts(laptop);
  const khText = readText(kh);
  if (khText !== undefined) changes.push({ file: kh, before: khText, after: replaceKnownHosts(khText, [hostKeyAlias(a.cluster)], []), mode: 0o600, backup: false });

  const keyFile = args.identity ?? defaultKey(laptop, a.cluster);
  const ownKey = !args.identity && fs.existsSync(keyFile);
  const cluster = await deps.ask.confirm(`Also remove ~/.local/bin/remote, your slurmhop config.ini${ownKey ? ' and the slurmhop key' : ''} on the cluster`, args.yes);

  if (args.dryRun) {
    for (const c of changes) deps.out(changed(c) ? describeChange(c) : `${c.file}: unchanged\n`);
    if (cluster) deps.out('would remove ~/.local/bin/remote and config.ini on the cluster\n');
    deps.out('dry run: nothing was written\n');
    return;
  }
  if (cluster) {
    report({ type: 'step', title: `Cleaning up on ${a.host}` });
    const connected = await deps.connect({
      host: a.host,
      port: a.port,
      auth: { user: a.user, keyFiles: [keyFile], agent: agentSocket(laptop), password: args.passwordStdin ? (await deps.readStdin()).split(/\r?\n/)[0] : undefined },
      knownHosts: knownHostsFiles(laptop).flatMap((f) => {
        const t = readText(f);
        return t === undefined ? [] : parseKnownHosts(t, f);
      }),
      acceptNewHostKey: false,
      ask: deps.ask,
      info: (message) => report({ type: 'info', message }),
    });
    try {
      const facts = await probeCluster(connected.session);
      await uninstallOnCluster(connected.session, facts.configIniPath);
      report({ type: 'done', message: `removed ~/.local/bin/remote and ${facts.configIniPath}` });
      if (ownKey) {
        await removeAuthorizedKey(connected.session, (await existingKeyPair(keyFile, deps.ask)).publicKey);
        report({ type: 'done', message: 'removed the slurmhop key from ~/.ssh/authorized_keys on the cluster' });
        changes.push({ file: keyFile, before: '(key)', after: undefined, mode: 0o600, backup: false }, { file: `${keyFile}.pub`, before: '(key)', after: undefined, mode: 0o644, backup: false });
      }
    } finally {
      connected.session.end();
    }
  }
  const now = deps.now();
  report({ type: 'step', title: 'Local files' });
  for (const c of changes) {
    const done = applyChange(c, now);
    report(done ? { type: 'done', message: `${c.after === undefined ? 'removed' : 'wrote'} ${c.file}${done.backup ? ` (backup: ${done.backup})` : ''}` } : { type: 'skip', message: c.file });
  }
  recordCluster(laptop, a.cluster, undefined);
  deps.out(`slurmhop's block for "${a.cluster}" is gone from ${a.sshConfig}; jobs still running on the cluster end at their time limit.\n`);
}
