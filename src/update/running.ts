import path from 'node:path';

// What the launcher tells the program it starts: which copy runs and why.
// Old executables stay in the field and load new releases, so this shape is
// a protocol: add optional fields only.
export interface Running {
  protocol: 1;
  /** The version of the program now running. */
  version: string;
  /** built-in: the executable's own copy; installed: versions/X.Y.Z; explicit: `--bundle DIR`. */
  source: 'built-in' | 'installed' | 'explicit';
  /** The release directory, unless built-in. */
  dir?: string;
  /** The executable (and, for `node remote.cjs`, the script) with its built-in copy's version. */
  launcher: { version: string; executable: string; script?: string };
  /** Why an installed release did not run, when the built-in copy runs instead. */
  fallback?: string;
  /** Whether V8 took the code cache the program was loaded with (none: it had none). */
  codeCache?: 'accepted' | 'rejected';
  /** The executable's first script already tried the fast paths (--version, the warm path). */
  fastPathsTried?: boolean;
}

export interface Handover {
  running: Running;
  args: string[];
}

export const HANDOVER = Symbol.for('slurmhop.handover');

type WithHandover = typeof globalThis & { [HANDOVER]?: Handover };

export function offerHandover(handover: Handover | undefined): void {
  if (handover) (globalThis as WithHandover)[HANDOVER] = handover;
  else delete (globalThis as WithHandover)[HANDOVER];
}

/** Taken once, by the entry point of the bundle the launcher just loaded. */
export function takeHandover(): Handover | undefined {
  const g = globalThis as WithHandover;
  const h = g[HANDOVER];
  delete g[HANDOVER];
  return h?.running?.protocol === 1 ? h : undefined;
}

let current: Running | undefined;

export function setRunning(running: Running): void {
  current = running;
}

/** The running copy; from source (tests, tsx) a built-in copy of `version`. */
export function runningProgram(version: string): Running {
  return current ?? { protocol: 1, version, source: 'built-in', launcher: { version, executable: process.execPath, ...scriptPart() } };
}

/** The command that starts this executable again (the bundle needs node in front of it). */
export function launcherCommand(running: Running): string[] {
  return running.launcher.script ? [running.launcher.executable, running.launcher.script] : [running.launcher.executable];
}

export function scriptPart(): { script?: string } {
  const script = process.argv[1];
  const isBundle = script !== undefined && script !== process.execPath && /\.c?js$/.test(script);
  return isBundle ? { script: path.resolve(script) } : {};
}
