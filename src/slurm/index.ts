export { execaRunner, runChecked, checked, isNoAnswer, type SlurmRunner, type RunResult } from './run.js';
export { listJobs, parseSqueue, ALIVE_STATES, type JobInfo } from './squeue.js';
export { submitJob, parseSbatchOutput } from './sbatch.js';
export { cancelJobs } from './scancel.js';
export { parseSlurmDuration } from './time.js';
export { listJobResources, parseJobResources, gresNames, type JobResources } from './resources.js';
