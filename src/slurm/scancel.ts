import { runChecked, type SlurmRunner } from './run.js';

export async function cancelJobs(run: SlurmRunner, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await runChecked(run, 'scancel', jobIds);
}
