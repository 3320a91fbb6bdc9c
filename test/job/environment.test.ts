import { describe, expect, it } from 'vitest';
import { sessionEnvironment } from '../../src/job/environment.js';

describe('session environment', () => {
  it("passes the job's Slurm, GPU and env_setup variables, not the login session's own", () => {
    const { passed } = sessionEnvironment({
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
    });
    expect(passed).toEqual({
      CUDA_VISIBLE_DEVICES: '0,1',
      LD_LIBRARY_PATH: '/opt/cuda/lib64',
      PATH: '/opt/cuda/bin:/usr/bin',
      SLURM_CONF: '/etc/slurm/slurm.conf',
      SLURM_JOB_ID: '42',
    });
    expect(Object.keys(passed)).toEqual(['CUDA_VISIBLE_DEVICES', 'LD_LIBRARY_PATH', 'PATH', 'SLURM_CONF', 'SLURM_JOB_ID']);
  });

  it('names the variables it cannot pass safely (sshd before 8.7 would drop everything after them)', () => {
    const { passed, skipped } = sessionEnvironment({ A: 'ok', B: 'has # hash', C: 'say "hi"', D: 'back\\slash', E: 'multi\nline', 'BAD NAME': 'x', F: 'fine' });
    expect(passed).toEqual({ A: 'ok', F: 'fine' });
    expect(skipped).toEqual(['B', 'BAD NAME', 'C', 'D', 'E']);
  });
});
