// `remote doctor`: checks the setup on the login node and says how to fix what fails;
// `remote cleanup`: frees room in the home directory.
export { runDoctor, type DoctorOptions } from './run.js';
export { defaultDoctorDeps, withDeadline, SLURM_DEADLINE_MS, type DoctorDeps } from './deps.js';
export { formatResult, summaryLine } from './report.js';
export type { CheckResult, CheckStatus } from './result.js';
export { checkStateDir } from './checks/state-dir.js';
export { checkVersion } from './checks/version.js';
export { checkConfig } from './checks/config.js';
export { checkHostKey, fingerprint } from './checks/host-key.js';
export { checkAuthorizedKeys } from './checks/authorized-keys.js';
export { checkSlurm } from './checks/slurm.js';
export { checkSubmission, defaultProfileName } from './checks/submit.js';
export { checkUpdates } from './checks/update.js';
export { checkHome } from './checks/home.js';
export { planCleanup, applyCleanup, type Removal } from './cleanup.js';
export { formatBytes, files } from './disk-usage.js';
