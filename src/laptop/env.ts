// What the laptop command touches outside itself, with real defaults in
// main.ts: the laptop's paths and platform, where the `remote` executable comes
// from, and how programs (ssh, code) are run.
import type { Laptop, RemoteBinarySource } from '../setup/index.js';

export interface RunOptions {
  /** Inherit the terminal (the default), or capture the output. */
  capture?: boolean;
  /** Pass the output on through this rewrite, line by line (stdin stays the terminal). */
  rewrite?: ((text: string) => string) | undefined;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
}

export interface LaptopEnv {
  laptop: Laptop;
  remoteBinary: RemoteBinarySource;
  /** Runs a program; ENOENT makes exitCode -1. */
  run: (program: string, args: string[], options?: RunOptions) => Promise<RunResult>;
  /** Whether stdin and stdout are a terminal (ssh then gets one too). */
  interactive: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}
