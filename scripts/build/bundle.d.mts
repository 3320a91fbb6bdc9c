import type { BuildOptions, BuildResult, StdinOptions } from 'esbuild';

export declare const bundleOptions: BuildOptions;
export declare function bundle(options: {
  entry?: string;
  stdin?: StdinOptions;
  outfile: string;
  absWorkingDir?: string;
}): Promise<BuildResult<{ metafile: true }>>;
