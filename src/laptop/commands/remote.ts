// `slurmhop list|cancel|alloc|swap|gpuswap|history|doctor|cleanup|resources ...`: the
// login node's `remote` command, run through the cluster's login alias (its
// pinned host key, its ControlMaster), with a terminal when this one is one,
// and its exit code.
import { pickCluster, REMOTE_BINARY } from '../../setup/index.js';
import { takeCluster, type LaptopCommand } from '../command.js';
import { plainWords, sshToLogin } from '../ssh.js';

const PASSED: Array<[string, string]> = [
  ['list', 'your slurmhop jobs on the cluster (remote list)'],
  ['cancel', 'cancel your slurmhop jobs (remote cancel)'],
  ['alloc', 'get a profile\'s job ready now, connect later (remote alloc)'],
  ['swap', 'move the current session to another profile (remote swap)'],
  ['gpuswap', 'remote swap gpu'],
  ['history', 'your past sessions and why they ended (remote history)'],
  ['doctor', 'check the setup on the login node (remote doctor)'],
  ['cleanup', 'remove old VS Code servers and ended job directories (remote cleanup)'],
  ['resources', 'what is free now, and when each profile\'s job would start (remote resources)'],
];

export const remoteCommands: LaptopCommand[] = PASSED.map(([name, summary]) => ({
  name,
  summary,
  usage: `slurmhop ${name} [--cluster NAME] [arguments of remote ${name}]`,
  async run(args, env) {
    const { cluster, rest } = takeCluster(args);
    const c = pickCluster(env.laptop, cluster);
    const tty = env.interactive ? '-t' : '-T';
    return (await sshToLogin(env, c, [tty, c.login, REMOTE_BINARY, name, ...plainWords(rest)])).exitCode;
  },
}));
