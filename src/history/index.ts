// `remote history`: past sessions from the state files, also for jobs Slurm has forgotten.
export { collectHistory, type History } from './collect.js';
export { classify, type HistoryEntry, type SessionState, type QueueView } from './classify.js';
export { defaultHistoryDeps, type HistoryDeps } from './deps.js';
export { historyJson, historyRows, limitNote, localTime } from './format.js';
export { listJobIds, readJobRecords, type JobRecords } from './records.js';
