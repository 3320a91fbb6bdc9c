import type { Profile } from '../config/index.js';
import { renderTemplate, shellQuote } from './render.js';
import template from './job.sbatch.tmpl';

export interface JobScriptInput {
  profile: Profile;
  user: string;
  /** How to run slurmhop on the nodes: the binary's absolute path on the shared filesystem. */
  remote: string[];
}

export function renderJobScript({ profile, user, remote }: JobScriptInput): string {
  return renderTemplate(template, {
    profile: profile.name,
    user,
    env_setup: profile.envSetup?.trim() ? profile.envSetup.trim() : '# (none)',
    remote: remote.map(shellQuote).join(' '),
    job_args: jobArgs(profile).map((a) => ` ${shellQuote(a)}`).join(''),
  });
}

/** The job's own settings (see `remote job`); the rest of the profile is in sbatch's options. */
function jobArgs(profile: Profile): string[] {
  const args = [`--idle-timeout=${profile.idleTimeout}`, `--warn-before=${profile.walltimeWarnings.join(',') || 'none'}`];
  if (profile.idleGpu) args.push('--idle-gpu');
  if (profile.transport !== 'tcp') args.push(`--transport=${profile.transport}`);
  if (profile.sshd) args.push(`--sshd=${profile.sshd}`);
  if (profile.container && profile.containerRuntime !== 'none') {
    args.push(`--container=${profile.container}`, `--container-runtime=${profile.containerRuntime}`);
    for (const mount of profile.containerMounts) args.push(`--container-mount=${mount}`);
    if (profile.containerSlurm) args.push('--container-slurm');
  }
  return args;
}

/** sbatch options for a profile; its sbatch_args come last (config.ini refuses those that would clash with ours). */
export function sbatchArgs(profile: Profile, paths: { output: string; workdir: string; jobName: string }): string[] {
  // --no-requeue: a session requeued after a node failure would hold an allocation nobody waits for.
  // --propagate=NONE: the limits a login node sets on ssh sessions (ulimit -v, -n) are the login
  // node's; the session gets the compute node's own, as a login on that node would (sbatch_args may say otherwise).
  const args = [`--job-name=${paths.jobName}`, `--output=${paths.output}`, `--chdir=${paths.workdir}`, '--no-requeue', '--propagate=NONE'];
  const optional: Array<[string, string | number | undefined]> = [
    ['--partition', profile.partition],
    ['--time', profile.time],
    ['--nodes', profile.nodes],
    ['--cpus-per-task', profile.cpus],
    ['--mem', profile.mem],
    ['--gres', profile.gres],
    ['--constraint', profile.constraint],
    ['--account', profile.account],
    ['--qos', profile.qos],
  ];
  for (const [flag, value] of optional) if (value !== undefined) args.push(`${flag}=${value}`);
  return [...args, ...profile.sbatchArgs];
}
