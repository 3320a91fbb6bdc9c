// Side effects of the wizard come in through this object (real defaults in
// setup.ts), so tests can give it a fake terminal, clock or home directory.
import type { Asker } from './ask.js';
import type { connect } from './connect.js';
import type { Laptop } from './laptop-paths.js';
import type { RemoteBinarySource } from './remote-binary.js';
import type { Report } from './report.js';

export interface LocalRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export interface SetupDeps {
  laptop: Laptop;
  now: () => Date;
  ask: Asker;
  report: Report;
  /** stdout: --dry-run's diffs and the final summary. */
  out: (text: string) => void;
  readStdin: () => Promise<string>;
  /** The `remote` executable for an architecture (a checkout's build, or made by the installed package). */
  remoteBinary: RemoteBinarySource;
  connect: typeof connect;
  /** Run the local ssh for the final check; its stderr (job progress) goes to the user. */
  runSsh: (program: string, args: string[]) => Promise<LocalRun>;
}
