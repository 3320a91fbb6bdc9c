// The git-based updater: releases are signed tags in a git repository; the
// executable runs the newest verified installed release, else its built-in copy.
export { scheduleUpdateCheck, defaultScheduleDeps, spawnDetached, type ScheduleDeps, type ScheduleResult } from './schedule.js';
export { updateNow, label, type UpdateMode, type UpdateOutcome } from './updater.js';
export { checkLatest, type Latest } from './latest.js';
export { rollback, type RollbackResult } from './rollback.js';
export { defaultUpdateDeps, type UpdateDeps } from './deps.js';
export { describeAutomatic, describeRunning } from './describe.js';
export { publishRelease, type PublishOptions } from './publish.js';
export { makeManifest, signRelease, verifyRelease, ReleaseRejected, type Manifest, type ReleaseFiles } from './manifest.js';
export { updatePaths, RELEASE_FILES, OPT_OUT_FILE, type UpdatePaths } from './paths.js';
export { isVersion } from './semver.js';
export { readCurrent, listInstalled, type CurrentState } from './installed.js';
export { keyFingerprint, RELEASE_KEY } from './release-key.js';
export { createUpdateLog, formatUpdateEvent, type UpdateEvent, type UpdateLog } from './log.js';
export { runningProgram, type Running } from './running.js';
