// The laptop wizard (`npm run setup`): its surface for setup.ts and tests.
export { parseSetupArgs, USAGE, type SetupArgs } from './args.js';
export { createAsker, type Asker } from './ask.js';
export { connect } from './connect.js';
export type { SetupDeps, LocalRun } from './deps.js';
export { SetupError, SETUP_EXIT, SETUP_EXIT_DESCRIPTIONS, setupError } from './errors.js';
export { createReport } from './report.js';
export { runWizard } from './wizard.js';
