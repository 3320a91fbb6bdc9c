// What the laptop command touches outside itself, with real defaults in
// main.ts: the laptop's paths and platform, where the `remote` executable comes
// from, how programs (ssh, code) are run, and the signals that stop a command
// that runs until it is stopped (forward, jupyter).
import type { Laptop, RemoteBinarySource } from '../setup/index.js';

export interface RunOptions {
  /** Inherit the terminal (the default), or capture the output. */
  capture?: boolean;
  /** Pass the output on through this rewrite, line by line (stdin stays the terminal). */
  rewrite?: ((text: string) => string) | undefined;
  /** With `rewrite`: the program's stdout goes to stderr too (a command whose stdout is one URL). */
  allToStderr?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
}

/** A program left running (an ssh session, a forward): its stdin and the lines it writes. */
export interface Started {
  write(text: string): void;
  /** Ends its stdin (an ssh session's remote side then reads end-of-file). */
  endInput(): void;
  /** Its exit code; -1 when the program was not found, 128 + n after signal n. */
  exited: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  onStdout: (line: string) => void;
  onStderr: (line: string) => void;
}

export interface LaptopEnv {
  laptop: Laptop;
  remoteBinary: RemoteBinarySource;
  /** Runs a program; ENOENT makes exitCode -1. */
  run: (program: string, args: string[], options?: RunOptions) => Promise<RunResult>;
  /** Starts a program with piped stdio; a Ctrl-C typed in the terminal reaches this command only, not it. */
  start: (program: string, args: string[], options: StartOptions) => Started;
  /** Calls `handler` on Ctrl-C, a hangup or kill (SIGINT, SIGHUP, SIGTERM) until the result is called. */
  onStop: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /** Whether stdin and stdout are a terminal (ssh then gets one too). */
  interactive: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}
