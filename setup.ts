// npm run setup (= npx tsx setup.ts): the laptop wizard from a checkout, with
// `npm run build`'s executables (dist/). The same as `slurmhop setup` of the
// installed package (src/laptop/).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './src/laptop/main.js';
import { fromBuild, type Laptop } from './src/setup/index.js';

const laptop: Laptop = {
  platform: process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux',
  home: os.homedir(),
  env: process.env,
};
main(['setup', ...process.argv.slice(2)], fromBuild(path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist')), laptop);
