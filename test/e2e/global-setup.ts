// The e2e project needs the built binary and the local cluster; `npm test`
// provides both. Run on its own, this says what is missing instead of failing
// every test with the same error.
import { execa } from 'execa';
import fs from 'node:fs';
import { BINARY, cancelAllJobs, ROOT } from './harness.js';

export default async function setup(): Promise<void> {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" (npm test does)`);
  const status = await execa('bash', [`${ROOT}/scripts/cluster`, 'status'], { reject: false });
  if (status.exitCode !== 0) throw new Error(`the local cluster is not up: run "scripts/cluster up" as root (npm test does)\n${status.stdout}`);
  // npm test starts from an empty queue; a single file run by hand leaves other users' jobs alone.
  if (process.env.SLURMHOP_E2E_EMPTY_QUEUE === '1') await cancelAllJobs();
}
