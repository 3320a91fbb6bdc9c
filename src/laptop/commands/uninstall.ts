// `slurmhop uninstall`: the wizard's --uninstall for a configured cluster
// (its name and ssh config come from what setup recorded).
import { defaultKey, pickCluster } from '../../setup/index.js';
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import { setup } from './setup.js';

export const uninstallCommand: LaptopCommand = {
  name: 'uninstall',
  summary: "remove what setup made for a cluster: here, and after a yes on the cluster (your jobs cancelled first)",
  usage: 'slurmhop uninstall [--cluster NAME] [--yes] [--dry-run]',
  help: {
    what: [
      'Removes what "slurmhop setup" made for a cluster. On the cluster, after a yes: your slurmhop jobs are cancelled first (asked), then remote (~/.local/bin/remote',
      'and ~/.local/lib/slurmhop, or where setup installed it), the state directory ~/.local/state/slurmhop and the slurmhop key in authorized_keys go, and config.ini is kept as config.ini.slurmhop-backup-<time>.',
      'Here: the ssh config block, the pinned keys, slurmhop\'s key, the shared connection, the cluster\'s VS Code entries. The login node\'s host key you',
      'accepted moves to ~/.ssh/known_hosts, so plain ssh keeps working. A home another set-up cluster shares keeps its files. It ends with what it left, and why.',
    ].join('\n'),
    options: [CLUSTER_OPTION, ['--yes, -y', 'no questions: cancel the jobs and clean up on the cluster'], ['--dry-run', 'show what would change, change nothing']],
    examples: ['slurmhop uninstall', 'slurmhop uninstall --cluster hpc --dry-run'],
  },
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    const c = pickCluster(env.laptop, cluster);
    const { host, port, user } = c.loginTarget;
    const target = [...(host ? ['--host', host] : []), ...(port ? ['--port', port] : []), ...(user ? ['--user', user] : [])];
    // A key of the user's own (setup --identity) logs in again; slurmhop's own key is found by name, and removed.
    const identity = c.identityFile?.replace(/%%/g, '%');
    const own = identity && identity !== defaultKey(env.laptop, c.name) ? ['--identity', identity] : [];
    return setup(['--uninstall', '--cluster', c.name, '--ssh-config', c.sshConfig, ...target, ...own, ...rest], env);
  },
};
