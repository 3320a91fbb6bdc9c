// Entry of the installed package's `slurmhop` (dist/laptop/slurmhop.cjs, run
// by bin/slurmhop.cjs): the cluster's executable is made on first use from the
// packaged program (dist/sea/) and cached (see setup/remote-binary.ts).
import os from 'node:os';
import path from 'node:path';
import { fromPackage, laptopCacheDir, type Laptop } from '../setup/index.js';
import { main } from './main.js';

const laptop: Laptop = {
  platform: process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux',
  home: os.homedir(),
  env: process.env,
};
// The bundle is dist/laptop/slurmhop.cjs; the packaged program is beside it in dist/sea/.
main(process.argv.slice(2), fromPackage(path.join(__dirname, '..', 'sea'), laptopCacheDir(laptop)), laptop);
