// GPU utilisation as activity (idle_gpu): a training run with no SSH session
// open is not idle.
import { execa } from 'execa';

/** True when any of the job's GPUs is busy; false when nvidia-smi is missing or says nothing. */
export async function gpusBusy(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const devices = env.CUDA_VISIBLE_DEVICES;
  const args = ['--query-gpu=utilization.gpu', '--format=csv,noheader,nounits', ...(devices ? ['-i', devices] : [])];
  const r = await execa('nvidia-smi', args, { reject: false, timeout: 10_000, stdin: 'ignore' });
  if (r.exitCode !== 0) return false;
  return String(r.stdout).split('\n').some((line) => Number(line.trim()) > 0);
}
