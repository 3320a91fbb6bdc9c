// Slurm as production clusters run it (production shape): proctrack/cgroup,
// task/cgroup with ConstrainRAMSpace and ConstrainDevices, and a
// pam_slurm_adopt that adopts node ssh sessions into the job's cgroup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWizardBlock } from '../wizard-block.js';
import { clusterEnv, jobsOf, Laptop, PROFILES, prepareUser, resetUser, SHAPE, stateOf } from '../harness.js';

const USER = 'eve';
const production = SHAPE === 'production';
const GPU = () => clusterEnv().dir + '/dev/nvidia0';
const CONFIG = `${PROFILES}
[profile.srun]
partition = interactive
transport = srun

[profile.adopt]
partition = interactive
transport = node-sshd

[profile.onc2]
partition = interactive
sbatch_args = --nodelist=c2

[profile.small]
partition = interactive
mem = 300M
`;
let laptop: Laptop;
let nodeSshdConfig: string;
let dir: string;

/** Whether the session may open the GPU's device: ENXIO (allowed, no driver here) or EPERM (denied by the devices cgroup). */
const openGpu = () => `cat ${GPU()} 2>&1 | grep -o -e 'No such device or address' -e 'Operation not permitted'`;

describe.skipIf(!production)('cgroups (production shape: proctrack/cgroup, task/cgroup, adopting pam_slurm_adopt)', () => {
  beforeAll(async () => {
    laptop = await prepareUser(USER, ['cpu', 'gpu', 'srun', 'onc2', 'small'], CONFIG);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-cgroups-'));
    nodeSshdConfig = path.join(dir, 'ssh_config');
    writeWizardBlock({ file: nodeSshdConfig, user: USER, profiles: ['adopt'], nodeSshdProfiles: ['adopt'], jobKnownHosts: path.join(dir, 'slurmhop_known_hosts'), sshProgram: 'ssh' });
  });
  afterAll(async () => {
    laptop?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    await resetUser(USER);
  });

  it.each([
    ['tcp', 'cpu'],
    ['srun', 'srun'],
  ])('a session of transport = %s runs inside its job\'s cgroup', async (_transport, profile) => {
    const r = await laptop.ssh([`slurm-${profile}`, 'echo "$SLURM_JOB_ID"; grep -E ":(memory|freezer|devices):" /proc/self/cgroup']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [jobId, ...cgroups] = String(r.stdout).trim().split('\n');
    expect(cgroups).toHaveLength(3);
    for (const line of cgroups) expect(line).toMatch(new RegExp(`/job_${jobId}/`));
  });

  it('a session of transport = node-sshd is adopted into its job\'s cgroup; pam_slurm_adopt tells it the job (SLURM_JOB_ID)', async () => {
    await resetUser(USER); // the job alone on its node: pam_slurm_adopt picks the newest of several
    const r = await execa('ssh', ['-F', nodeSshdConfig, '-o', 'BatchMode=yes', 'slurm-adopt', 'echo "$SLURM_JOB_ID"; grep ":memory:" /proc/self/cgroup'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const [jobId, memory] = String(r.stdout).trim().split('\n');
    const [job] = (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-adopt');
    expect(jobId).toBe(job!.id);
    expect(memory).toMatch(new RegExp(`/job_${job!.id}/step_extern(/|$)`));
  });

  it('a GPU job may open its GPU; a job on the same node without one may not', async () => {
    const gpu = await laptop.ssh(['slurm-gpu', `hostname; echo "$CUDA_VISIBLE_DEVICES"; ${openGpu()}`]);
    expect(String(gpu.stdout).trim().split('\n'), String(gpu.stderr)).toEqual(['c2', '0', 'No such device or address']);
    const cpu = await laptop.ssh(['slurm-onc2', `hostname; ${openGpu()}`]);
    expect(String(cpu.stdout).trim().split('\n'), String(cpu.stderr)).toEqual(['c2', 'Operation not permitted']);
  });

  it('a session that takes more than the job\'s memory is killed by its limit, is told why in its terminal, history shows it, the next connect works', async () => {
    const hog = 'python3 -c "b = bytearray(600 * 1024 * 1024); b[::4096] = b\'x\' * len(b[::4096])"';
    const r = await laptop.ssh(['-tt', 'slurm-small', `echo started; ${hog}; echo "exit $?"; sleep 2`]);
    const out = String(r.stdout);
    expect(out).toContain('started');
    expect(out).toContain('exit 137');
    // In the session's terminal, from the job, as it happened (the ssh client ends
    // the session on its own, so the proxy has no one to tell afterwards).
    expect(out).toMatch(/slurmhop: job \d+ \(small\) reached its memory limit of 300 MiB: the kernel killed a process of this job/);
    const [job] = (await jobsOf(USER)).filter((j) => j.name === 'slurmhop-small');
    const events = fs.readFileSync(`${stateOf(USER)}/jobs/${job!.id}/status`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.event === 'memory-killed' && e.limitBytes === 300 * 1_048_576)).toBe(true);
    const history = await laptop.remote(['history']);
    expect(String(history.stdout)).toMatch(/memory limit of 300 MiB/);
    const next = await laptop.ssh(['slurm-small', 'echo "$SLURM_JOB_ID"']);
    expect(next.exitCode, String(next.stderr)).toBe(0);
    expect(String(next.stdout).trim()).toBe(job!.id);
  });
});
