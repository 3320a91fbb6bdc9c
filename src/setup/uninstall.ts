// --uninstall: first, after a yes, the cluster (the user's slurmhop jobs
// cancelled, then the executable, config.ini kept as a backup, the state
// directory, slurmhop's key in authorized_keys); then this computer (the
// cluster's block, its pinned keys, its VS Code entries, slurmhop's keys, the
// connection it shares). What stays is said, with why. Another cluster's block
// is left alone, and a home another configured cluster shares keeps its files.
import fs from 'node:fs';
import path from 'node:path';
import type { Answers } from './answers.js';
import type { SetupArgs } from './args.js';
import { removeAuthorizedKey } from './cluster-files.js';
import { configuredClusters, recordCluster } from './clusters.js';
import { rootOfFront } from '../install-layout.js';
import { REMOTE_BINARY } from '../templates/ssh-config-block.js';
import type { SetupDeps } from './deps.js';
import { parseKnownHosts } from './known-hosts.js';
import { knownHostsFiles, laptopCacheDir, laptopConfigDir, requireSshProgram } from './laptop-paths.js';
import { existingKeyPair } from './laptop-key.js';
import { applyChange, changed, describeChange, readText } from './local-files.js';
import { logIn } from './login.js';
import { cancelAll, clusterJobs, removeClusterFiles } from './uninstall-cluster.js';
import { planUninstall } from './uninstall-local.js';

export async function runUninstall(a: Answers, args: SetupArgs, deps: SetupDeps): Promise<void> {
  const { laptop, report } = deps;
  const others = configuredClusters(laptop).filter((c) => c.name !== a.cluster);
  // Where the cluster's block runs remote (a place setup chose where the home is noexec, or ~/.local).
  const front = configuredClusters(laptop).find((c) => c.name === a.cluster)?.remote ?? REMOTE_BINARY;
  const installed = front === REMOTE_BINARY ? '~/.local/bin/remote and ~/.local/lib/slurmhop' : `${front} and ${rootOfFront(front) ?? ''}/lib/slurmhop`;
  const plan = planUninstall(laptop, a, others);
  const kept: string[] = [];
  const shared = plan.sharing.length ? ` (kept: ${plan.sharing.join(', ')} ${plan.sharing.length > 1 ? 'share' : 'shares'} that home)` : '';
  const what = plan.sharing.length ? 'cancel your slurmhop jobs' : `cancel your slurmhop jobs, remove ${installed}, your config.ini (a backup stays) and slurmhop's state directory${plan.ownKey ? ', and the slurmhop key in authorized_keys' : ''}`;
  // Yes by default in a terminal (an uninstall means it); a script says --yes.
  const onCluster = await deps.ask.confirm(`Also clean up on ${a.host}: ${what}${shared}`, args.yes || deps.ask.interactive);

  if (args.dryRun) {
    for (const c of plan.changes) deps.out(changed(c) ? describeChange(c) : `${c.file}: unchanged\n`);
    if (onCluster) deps.out(`would ${what} on the cluster${shared}\n`);
    deps.out('dry run: nothing was written\n');
    return;
  }
  const now = deps.now();
  if (onCluster) {
    report({ type: 'step', title: `Cleaning up on ${a.host}` });
    const password = args.passwordStdin ? (await deps.readStdin()).split(/\r?\n/)[0] : undefined;
    const knownHosts = knownHostsFiles(laptop).flatMap((f) => {
      const t = readText(f);
      return t === undefined ? [] : parseKnownHosts(t, f);
    });
    const { connected } = await logIn(deps, a, { identity: a.identity ?? plan.ownKey, password, acceptNewHostKey: false, knownHosts });
    try {
      const session = connected.session;
      const jobs = await clusterJobs(session, front);
      const list = jobs.map((j) => `${j.id} (${j.profile}, ${j.state.toLowerCase()})`).join(', ');
      let running = jobs.length > 0;
      if (running && (await deps.ask.confirm(`Cancel your ${jobs.length} slurmhop job${jobs.length > 1 ? 's' : ''} first: ${list}`, true))) {
        report({ type: 'done', message: (await cancelAll(session, front)).split('\n').join('; ') });
        running = false;
      } else if (running) kept.push(`your jobs ${list}: they end at their time limit ("scancel" ends one)`);
      if (plan.sharing.length) {
        kept.push(`on the cluster, ${installed}, config.ini and ~/.local/state/slurmhop: ${plan.sharing.join(', ')} uses them (the same home)`);
      } else {
        const done = await removeClusterFiles(session, now, running, front);
        for (const f of done.removed) report({ type: 'done', message: `removed ${f} on the cluster` });
        if (done.configBackup) kept.push(`on the cluster, ${done.configBackup}: your profiles, should you set up again`);
        if (running) kept.push('on the cluster, ~/.local/state/slurmhop: your running jobs use it');
      }
      if (plan.ownKey) {
        await removeAuthorizedKey(session, (await existingKeyPair(plan.ownKey, deps.ask)).publicKey);
        report({ type: 'done', message: 'removed the slurmhop key from ~/.ssh/authorized_keys on the cluster' });
      }
    } finally {
      connected.session.end();
    }
  } else {
    kept.push(`on the cluster, your slurmhop jobs, ${installed}, config.ini and ~/.local/state/slurmhop: you chose to keep them${plan.ownKey ? ' (and the slurmhop key in authorized_keys)' : ''}`);
  }

  report({ type: 'step', title: 'This computer' });
  await stopSharedConnection(deps, a);
  for (const c of plan.changes) {
    const done = applyChange(c, now);
    report(done ? { type: 'done', message: `${c.after === undefined ? 'removed' : 'wrote'} ${c.file}${done.backup ? ` (backup: ${done.backup})` : ''}` } : { type: 'skip', message: c.file });
  }
  if (plan.loginKeyNote) report({ type: 'info', message: plan.loginKeyNote });
  recordCluster(laptop, a.cluster, undefined);
  if (configuredClusters(laptop).length === 0) forgetEverything(deps);
  kept.push('backups named *.slurmhop-backup-<time> beside the files slurmhop changed', "VS Code's global Remote-SSH settings (they do not harm other hosts)");
  deps.out(`slurmhop is uninstalled for "${a.cluster}".\nLeft:\n${kept.map((k) => `  - ${k}`).join('\n')}\n`);
}

/** The login connection ssh keeps open (ControlMaster) ends with the block that made it. */
async function stopSharedConnection(deps: SetupDeps, a: Answers): Promise<void> {
  if (deps.laptop.platform === 'win32') return;
  const ssh = requireSshProgram(deps.laptop);
  const r = await deps.runSsh(ssh, [...(a.customConfig ? ['-F', a.sshConfig] : []), '-q', '-O', 'exit', a.cluster]);
  if (r.exitCode === 0) deps.report({ type: 'done', message: `closed the connection ssh kept open to ${a.cluster}` });
}

/** The last cluster gone: the registry and the cached executable go too. */
function forgetEverything(deps: SetupDeps): void {
  const config = laptopConfigDir(deps.laptop);
  fs.rmSync(path.join(config, 'clusters.json'), { force: true });
  try {
    fs.rmdirSync(config);
  } catch {
    // other files of the user's: the directory stays
  }
  const cache = laptopCacheDir(deps.laptop);
  if (fs.existsSync(cache)) {
    fs.rmSync(cache, { recursive: true, force: true });
    deps.report({ type: 'done', message: `removed ${cache} (the executable made for the cluster)` });
  }
}
