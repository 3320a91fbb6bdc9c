import { describe, expect, it } from 'vitest';
import { sessionEnvironment } from '../../src/job/environment.js';

describe('session environment', () => {
  it('passes the job\'s Slurm, GPU and env_setup variables, not the login session\'s own', () => {
    const env = sessionEnvironment({
      SLURM_JOB_ID: '42',
      SLURM_CONF: '/etc/slurm/slurm.conf',
      CUDA_VISIBLE_DEVICES: '0,1',
      PATH: '/opt/cuda/bin:/usr/bin',
      LD_LIBRARY_PATH: '/opt/cuda/lib64',
      HOME: '/home/ada',
      USER: 'ada',
      SHELL: '/bin/bash',
      TERM: 'xterm',
      SSH_CONNECTION: '1 2 3 4',
      SSH_AUTH_SOCK: '/tmp/agent',
      DISPLAY: ':0',
      NODE_OPTIONS: '--inspect',
      'BASH_FUNC_module%%': '() { eval x; }',
      MULTILINE: 'a\nb',
      'BAD NAME': 'x',
    });
    expect(env).toEqual({
      CUDA_VISIBLE_DEVICES: '0,1',
      LD_LIBRARY_PATH: '/opt/cuda/lib64',
      PATH: '/opt/cuda/bin:/usr/bin',
      SLURM_CONF: '/etc/slurm/slurm.conf',
      SLURM_JOB_ID: '42',
    });
  });
});
