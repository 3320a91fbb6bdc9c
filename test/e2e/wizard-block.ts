// The ssh config block the wizard writes, for a test user on the local
// cluster, without running the wizard: tests of node-sshd profiles and the
// bench's wizard-config figure need what users run, not the harness's own -o.
import fs from 'node:fs';
import path from 'node:path';
import { renderSshConfigBlock } from '../../src/templates/ssh-config-block.js';
import { clusterEnv } from './harness.js';

export interface WizardBlock {
  /** The config file written (ssh -F it). */
  file: string;
  user: string;
  profiles: string[];
  nodeSshdProfiles?: string[];
  /** Where job host keys are pinned. */
  jobKnownHosts: string;
  /** The laptop's ssh: a program name or a path (the suite's client). */
  sshProgram?: string;
  cluster?: string;
  prefix?: string;
  /** Where ControlMaster sockets go (short enough for a socket address). */
  controlDir?: string;
}

export function writeWizardBlock(block: WizardBlock): void {
  const cluster = clusterEnv();
  const ssh = block.sshProgram ?? 'ssh';
  fs.writeFileSync(
    block.file,
    renderSshConfigBlock({
      platform: 'linux',
      cluster: block.cluster ?? 'local',
      prefix: block.prefix ?? 'slurm',
      profiles: block.profiles,
      nodeSshdProfiles: block.nodeSshdProfiles,
      login: { host: cluster.loginHost, port: Number(cluster.loginPort), user: block.user },
      identityFile: path.join(cluster.keysDir, `${block.user}_ed25519`),
      loginKnownHosts: [cluster.loginKnownHosts],
      jobKnownHosts: block.jobKnownHosts,
      sshConfigFile: block.file,
      sshProgram: ssh,
      sshAbsolutePath: ssh === 'ssh' ? '/usr/bin/ssh' : ssh,
      controlDir: block.controlDir,
    }),
  );
}
