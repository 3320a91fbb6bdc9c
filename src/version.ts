import pkg from '../package.json' with { type: 'json' };

declare const __SLURMHOP_VERSION__: string | undefined;

/** package.json's version; the build defines it (a test build may give another, for test releases). */
export const VERSION: string = typeof __SLURMHOP_VERSION__ === 'string' ? __SLURMHOP_VERSION__ : pkg.version;
