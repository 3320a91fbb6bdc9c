// `slurmhop clusters`: what setup configured on this computer, read from the
// ssh config blocks it wrote.
import { configuredClusters, setupError } from '../../setup/index.js';
import type { LaptopCommand } from '../command.js';

export const clustersCommand: LaptopCommand = {
  name: 'clusters',
  summary: 'the clusters set up on this computer: login alias, profiles and their host names, files',
  usage: 'slurmhop clusters',
  help: { what: 'Lists the clusters set up on this computer: the login alias ("ssh NAME" reaches the login node), each profile\'s host name, the host that follows your current session, the ssh config file and the key.', examples: ['slurmhop clusters'] },
  async run(args, env) {
    if (args.length) throw setupError('usage', 'slurmhop clusters takes no arguments');
    const all = configuredClusters(env.laptop);
    if (all.length === 0) {
      env.out('no cluster is set up on this computer (run "slurmhop setup")\n');
      return 0;
    }
    for (const c of all) {
      const t = c.loginTarget;
      env.out(
        [
          `${c.name}`,
          `  login alias    ${c.login} (${t.user ?? '?'}@${t.host ?? '?'}${t.port && t.port !== '22' ? `:${t.port}` : ''})`,
          ...c.profiles.map((p) => `  profile        ${p.profile.padEnd(12)} ssh ${p.host}`),
          ...(c.prefix ? [`  current        ssh ${c.prefix}   (follows remote swap and alloc)`] : []),
          `  ssh config     ${c.sshConfig}`,
          ...(c.identityFile ? [`  key            ${c.identityFile}`] : []),
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};
