import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { SlurmhopError, usageError } from '../../errors.js';
import { listSessionJobs } from '../../session/index.js';
import { readCurrent } from '../../state/index.js';
import { stateDir } from '../../paths.js';
import { execaRunner } from '../../slurm/index.js';
import { defineCommand } from '../../command.js';

/** A shell (or a command) on the job's node, inside its allocation: no key, no sshd involved. */
export function shellOnJob(jobId: string, command: string[]): number {
  const interactive = command.length === 0;
  const args = ['--jobid', jobId, '--overlap', ...(interactive ? ['--pty', process.env.SHELL || '/bin/bash', '-l'] : command)];
  const r = spawnSync('srun', args, { stdio: 'inherit' });
  if (r.error) throw new SlurmhopError('slurm', `srun could not be started: ${r.error.message}`);
  return r.status ?? 70;
}

export const sshCommand = defineCommand({
  name: 'ssh',
  summary: 'a shell (or a command) on a job\'s node from the login node, inside the allocation',
  usage: 'remote ssh [<profile>|<jobid>] [-- command...]',
  async run({ positionals }) {
    const dash = process.argv.indexOf('--');
    const command = dash === -1 ? [] : process.argv.slice(dash + 1);
    const targets = dash === -1 ? positionals : positionals.slice(0, positionals.length - command.length);
    if (targets.length > 1) throw usageError('remote ssh takes one profile or job id');
    const running = (await listSessionJobs(execaRunner, os.userInfo().username)).filter((j) => j.state === 'RUNNING');
    const target = targets[0] ?? readCurrent(stateDir())?.profile;
    const job = target === undefined ? running[0] : running.find((j) => j.id === target) ?? running.find((j) => j.profile === target);
    if (!job) {
      throw new SlurmhopError('usage', target ? `no running slurmhop job for ${target}` : 'no running slurmhop job', 'start one with "remote alloc <profile>" (see "remote list")');
    }
    return shellOnJob(job.id, command);
  },
});
