// Entry point of the single executable. `--version` is answered before the rest
// of the program is loaded: esbuild keeps a require()d module lazy.
import { VERSION } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`slurmhop ${VERSION}\n`);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./main.js') as typeof import('./main.js')).main(args);
}
