// What an uninstall plans on the laptop: the block, the pinned keys, the login
// node's host key kept for plain ssh, VS Code's entries, slurmhop's keys
// removed as files (a link as a link), and which other clusters share the home.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/setup/answers.js';
import { configuredClusters } from '../../src/setup/clusters.js';
import type { Laptop } from '../../src/setup/laptop-paths.js';
import { applyChange } from '../../src/setup/local-files.js';
import { planSshConfig } from '../../src/setup/ssh-config-plan.js';
import { planUninstall } from '../../src/setup/uninstall-local.js';
import { tempDirs } from '../helpers/tmp.js';
import { linuxLaptop } from './block-inputs.js';

const tmp = tempDirs('slurmhop-uninstall-');
const JOB_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJobKeyOfTheSharedHome00000000000000000000';
const LOGIN_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILoginNodeKey000000000000000000000000000000';

/** A laptop with clusters set up as the wizard leaves them: blocks, pinned keys, slurmhop's key. */
function laptopWith(clusters: Array<{ name: string; prefix: string; host: string; jobKey: string }>, loginKnown: string[] = []): { l: Laptop; ssh: string } {
  const home = tmp();
  const ssh = path.join(home, '.ssh');
  fs.mkdirSync(ssh, { mode: 0o700 });
  let config = 'Host mine\n  HostName box.example.org\n';
  for (const c of clusters) {
    config = planSshConfig(config, path.join(ssh, 'config'), { ...linuxLaptop, cluster: c.name, prefix: c.prefix, login: { host: c.host, port: 22, user: 'ana' }, identityFile: path.join(ssh, `slurmhop_${c.name}_ed25519`) }, c.name, '\n').after;
    fs.writeFileSync(path.join(ssh, `slurmhop_${c.name}_ed25519`), 'private');
    fs.writeFileSync(path.join(ssh, `slurmhop_${c.name}_ed25519.pub`), 'public');
  }
  fs.writeFileSync(path.join(ssh, 'config'), config);
  fs.writeFileSync(path.join(ssh, 'slurmhop_known_hosts'), [...loginKnown, ...clusters.map((c) => `slurmhop-${c.name} ${c.jobKey}`)].join('\n') + '\n');
  return { l: { platform: 'linux', home, env: {} }, ssh };
}

const answers = (l: Laptop, name: string, host: string): Answers => {
  const previous = configuredClusters(l).find((c) => c.name === name)!;
  return { host, port: 22, user: 'ana', cluster: name, prefix: previous.prefix!, sshConfig: path.join(l.home, '.ssh/config'), customConfig: false, previous };
};

describe('an uninstall on the laptop', () => {
  it("removes the block, the cluster's pinned key and slurmhop's key pair; the login node's key moves to known_hosts", () => {
    const { l, ssh } = laptopWith([{ name: 'hpc', prefix: 'slurm', host: 'login.hpc.org', jobKey: JOB_KEY }], [`login.hpc.org ${LOGIN_KEY}`]);
    const plan = planUninstall(l, answers(l, 'hpc', 'login.hpc.org'), []);
    expect(plan.sharing).toEqual([]);
    expect(plan.ownKey).toBe(path.join(ssh, 'slurmhop_hpc_ed25519'));
    for (const c of plan.changes) applyChange(c, new Date());
    expect(fs.readFileSync(path.join(ssh, 'config'), 'utf8')).toBe('Host mine\n  HostName box.example.org\n');
    expect(fs.existsSync(path.join(ssh, 'slurmhop_known_hosts'))).toBe(false);
    expect(fs.readFileSync(path.join(ssh, 'known_hosts'), 'utf8')).toBe(`login.hpc.org ${LOGIN_KEY}\n`);
    expect(plan.loginKeyNote).toContain('plain ssh to login.hpc.org keeps working');
    expect(fs.readdirSync(ssh).filter((f) => !f.includes('slurmhop-backup')).sort()).toEqual(['config', 'known_hosts']);
  });

  it('another configured cluster on the same home (the same job host key) is named; its block and keys stay', () => {
    const { l, ssh } = laptopWith([
      { name: 'hpc', prefix: 'slurm', host: 'login1.hpc.org', jobKey: JOB_KEY },
      { name: 'hpc2', prefix: 'slurm-hpc2', host: 'login2.hpc.org', jobKey: JOB_KEY },
      { name: 'other', prefix: 'slurm-other', host: 'login.other.org', jobKey: JOB_KEY.replace('Shared', 'Elsewh') },
    ]);
    const others = configuredClusters(l).filter((c) => c.name !== 'hpc');
    const plan = planUninstall(l, answers(l, 'hpc', 'login1.hpc.org'), others);
    expect(plan.sharing).toEqual(['hpc2']);
    for (const c of plan.changes) applyChange(c, new Date());
    expect(configuredClusters(l).map((c) => c.name)).toEqual(['hpc2', 'other']);
    expect(fs.readFileSync(path.join(ssh, 'slurmhop_known_hosts'), 'utf8')).not.toContain('slurmhop-hpc ');
    expect(fs.existsSync(path.join(ssh, 'slurmhop_hpc2_ed25519'))).toBe(true);
  });

  it("a symlinked key is removed as a link: the file it points to stays", () => {
    const { l, ssh } = laptopWith([{ name: 'hpc', prefix: 'slurm', host: 'login.hpc.org', jobKey: JOB_KEY }]);
    const kept = path.join(l.home, 'vault-key');
    fs.writeFileSync(kept, 'private');
    fs.rmSync(path.join(ssh, 'slurmhop_hpc_ed25519'));
    fs.symlinkSync(kept, path.join(ssh, 'slurmhop_hpc_ed25519'));
    for (const c of planUninstall(l, answers(l, 'hpc', 'login.hpc.org'), []).changes) applyChange(c, new Date());
    expect(fs.existsSync(kept)).toBe(true);
    expect(() => fs.lstatSync(path.join(ssh, 'slurmhop_hpc_ed25519'))).toThrow(/ENOENT/);
  });
});
