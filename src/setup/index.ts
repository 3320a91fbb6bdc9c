// The laptop side: the wizard and what the laptop command (src/laptop) needs
// of it; its surface for setup.ts, src/laptop and tests.
export { parseSetupArgs, USAGE, type SetupArgs } from './args.js';
export { createAsker, type Asker } from './ask.js';
export { connect } from './connect.js';
export type { SetupDeps, LocalRun } from './deps.js';
export { SetupError, SETUP_EXIT, SETUP_EXIT_DESCRIPTIONS, setupError } from './errors.js';
export { createReport } from './report.js';
export { exitCleanlyOnSignals, interruptError, wasInterrupted } from './interrupt.js';
export { runWizard } from './wizard.js';
export { configuredClusters, pickCluster, recordCluster, type ConfiguredCluster } from './clusters.js';
export { defaultKey, defaultSshConfig, laptopCacheDir, laptopConfigDir, requireSshProgram, sshProgram, type Laptop } from './laptop-paths.js';
export { REMOTE_BINARY } from '../templates/ssh-config-block.js';
export { fromBuild, fromPackage, type LocalBinary, type RemoteArch, type RemoteBinarySource } from './remote-binary.js';
