// The addresses exempt from the job's sshd penalties: the login node that
// submitted the job (SLURM_SUBMIT_HOST, resolved on the node), the loopback
// for transport = srun, none (penalties off) when neither is known.
import { describe, expect, it } from 'vitest';
import { sessionSources } from '../../src/job/session-sources.js';

const fails = (code: string) => async () => {
  throw Object.assign(new Error(code), { code });
};

describe('where sessions reach the job from', () => {
  it('the submitting login node, every IPv4 address the node resolves it to, once and sorted', async () => {
    const r = await sessionSources({ SLURM_SUBMIT_HOST: 'login2' }, 'tcp', async (h) => (h === 'login2' ? ['10.0.0.9', '10.0.0.2', '10.0.0.9', 'fe80::1'] : []));
    expect(r).toEqual({ addresses: ['10.0.0.2', '10.0.0.9'], note: 'the submitting login node login2 (10.0.0.2, 10.0.0.9)' });
  });

  it('an address given as such is taken without asking the resolver', async () => {
    expect((await sessionSources({ SLURM_SUBMIT_HOST: '10.3.3.3' }, undefined, fails('EAI_FAIL'))).addresses).toEqual(['10.3.3.3']);
  });

  it('the real resolver: localhost is the loopback', async () => {
    expect((await sessionSources({ SLURM_SUBMIT_HOST: 'localhost' }, 'tcp')).addresses).toContain('127.0.0.1');
  });

  it('transport = srun: the loopback, whatever submitted the job', async () => {
    expect((await sessionSources({ SLURM_SUBMIT_HOST: 'login2' }, 'srun', fails('EAI_FAIL'))).addresses).toEqual(['127.0.0.1']);
  });

  it('none, and why, when the submit host is unset, does not resolve, or has no IPv4 address', async () => {
    expect(await sessionSources({}, 'tcp')).toEqual({ addresses: [], note: "SLURM_SUBMIT_HOST is not set: the login node's address is unknown" });
    expect(await sessionSources({ SLURM_SUBMIT_HOST: 'gone' }, 'tcp', fails('ENOTFOUND'))).toEqual({ addresses: [], note: 'the submitting login node gone does not resolve here (ENOTFOUND)' });
    expect(await sessionSources({ SLURM_SUBMIT_HOST: 'v6only' }, 'tcp', async () => ['fd00::5'])).toEqual({ addresses: [], note: 'the submitting login node v6only has no IPv4 address here' });
  });
});
