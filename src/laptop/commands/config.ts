// `slurmhop config`: config.ini (the profiles) lives on the cluster; this
// opens it there in the login node's editor ($VISUAL, $EDITOR, else vi),
// through the login alias with a terminal.
import { pickCluster, setupError } from '../../setup/index.js';
import { CLUSTER_OPTION, takeCluster, type LaptopCommand } from '../command.js';
import { sshToLogin } from '../ssh.js';

// One sh script in single quotes: read the same by bash, tcsh and fish login shells (no ' or ! in it).
const EDIT = `sh -c 'f="\${XDG_CONFIG_HOME:-$HOME/.config}/slurmhop/config.ini"; echo "editing $f on $(hostname)" >&2; exec \${VISUAL:-\${EDITOR:-vi}} "$f"'`;

export const configCommand: LaptopCommand = {
  name: 'config',
  summary: "edit config.ini (your profiles) on the cluster, in the login node's editor",
  usage: 'slurmhop config [--cluster NAME]',
  help: {
    what: 'Opens config.ini, where your profiles and their settings (partition, time, gres, pending_timeout, ...) live, on the cluster\'s login node in its editor ($VISUAL or $EDITOR there, else vi). Needs a terminal. "slurmhop doctor" checks the file afterwards.',
    options: [CLUSTER_OPTION],
    examples: ['slurmhop config'],
  },
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    if (rest.length) throw setupError('usage', `usage: ${this.usage}`);
    if (!env.interactive) throw setupError('usage', 'slurmhop config opens an editor and needs a terminal', 'run it in a terminal');
    const c = pickCluster(env.laptop, cluster);
    return (await sshToLogin(env, c, ['-t', '-o', 'LogLevel=ERROR', c.login, EDIT])).exitCode;
  },
};
