// `slurmhop uninstall`: the wizard's --uninstall for a configured cluster
// (its name and ssh config come from what setup recorded).
import { defaultKey, pickCluster } from '../../setup/index.js';
import { takeCluster, type LaptopCommand } from '../command.js';
import { setup } from './setup.js';

export const uninstallCommand: LaptopCommand = {
  name: 'uninstall',
  summary: "remove a cluster's ssh config block and pinned key; asked (or --yes): remote, config.ini and the key on the cluster",
  usage: 'slurmhop uninstall [--cluster NAME] [--yes] [--dry-run]',
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
