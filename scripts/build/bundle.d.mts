import type { BuildOptions, BuildResult, StdinOptions } from 'esbuild';

export declare const bundleOptions: BuildOptions;
export declare function bundle(options: {
  entry?: string;
  stdin?: StdinOptions;
  outfile: string;
  absWorkingDir?: string;
  /** Test builds only: the version to build in (default: package.json's). */
  version?: string;
  /** Test builds only: a PEM public key instead of keys/release-ed25519.pub; marks the build "test". */
  releaseKey?: string;
  /** The oldest Node that runs the result (esbuild target, default the SEA's node22). */
  target?: string;
}): Promise<BuildResult<{ metafile: true }>>;
export declare const RELEASE_KEY_FILE: string;
export declare function buildConstants(options: { absWorkingDir: string; version?: string; releaseKey?: string }): Record<string, string>;
