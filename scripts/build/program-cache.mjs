// node program-cache.mjs PROGRAM OUT: writes the V8 code cache of PROGRAM as
// the executable's first script compiles it (src/update/run-bundle.ts). Run by
// the Node the executable is made of: V8 takes a cache only from its own
// version and flags.
import fs from 'node:fs';
import vm from 'node:vm';
import { BUNDLE_PARAMS } from './sea-assets.mjs';

const [program, out] = process.argv.slice(2);
const fn = vm.compileFunction(fs.readFileSync(program, 'utf8'), BUNDLE_PARAMS, { filename: program, produceCachedData: true });
if (!fn.cachedDataProduced) throw new Error(`V8 made no code cache of ${program}`);
fs.writeFileSync(out, fn.cachedData);
