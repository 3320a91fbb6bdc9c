// What the SEA blob holds besides its first script, named alike by the build
// (sea-blob.mjs, program-cache.mjs) and by the program (src/cli/first-script.ts,
// src/update/run-bundle.ts).
export const PROGRAM_ASSET = 'remote.cjs';
export const PROGRAM_CACHE_ASSET = 'remote.cjs.cache';
/** A bundle of the program runs as a CommonJS function of these; its code cache is made for the same. */
export const BUNDLE_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];
