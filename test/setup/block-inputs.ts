// The laptops the managed-block tests render for: Ana on Linux, and on Windows
// with a home directory that needs quoting (a space) and %-escaping.
import type { SshBlockInput } from '../../src/templates/ssh-config-block.js';

export const linuxLaptop: SshBlockInput = {
  platform: 'linux',
  cluster: 'hpc',
  prefix: 'slurm',
  profiles: ['cpu', 'gpu'],
  login: { host: 'login.hpc.example.org', port: 22, user: 'ana' },
  identityFile: '/home/ana/.ssh/slurmhop_hpc_ed25519',
  loginKnownHosts: ['/home/ana/.ssh/known_hosts', '/home/ana/.ssh/slurmhop_known_hosts'],
  jobKnownHosts: '/home/ana/.ssh/slurmhop_known_hosts',
  sshProgram: 'ssh',
  controlDir: '/home/ana/.ssh',
};

const WINDOWS_HOME = 'C:\\Users\\Ana Maria 100%';

/** The same input on Windows: full path of ssh.exe, -F file, no ControlMaster. */
export function onWindows(input: SshBlockInput): SshBlockInput {
  return {
    ...input,
    platform: 'win32',
    identityFile: `${WINDOWS_HOME}\\.ssh\\slurmhop_hpc_ed25519`,
    loginKnownHosts: [`${WINDOWS_HOME}\\.ssh\\known_hosts`, `${WINDOWS_HOME}\\.ssh\\slurmhop_known_hosts`],
    jobKnownHosts: `${WINDOWS_HOME}\\.ssh\\slurmhop_known_hosts`,
    sshConfigFile: `${WINDOWS_HOME}\\.ssh\\config-slurm`,
    sshProgram: 'C:\\Windows\\System32\\OpenSSH\\ssh.exe',
    ...(input.sshAbsolutePath ? { sshAbsolutePath: 'C:\\Windows\\System32\\OpenSSH\\ssh.exe' } : {}),
    controlDir: undefined,
  };
}
