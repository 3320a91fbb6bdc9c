// Login nodes often cap a session's address space (`ulimit -v`, pam_limits).
// What this program reserves is far more than it uses: glibc's malloc keeps a
// 64 MiB reservation per thread arena (one per thread that allocates), and
// V8 runs jitless for the same reason (scripts/build/sea-blob.mjs). Under a
// cap the program starts again with one arena (glibc reads MALLOC_ARENA_MAX
// at start only), and that setting is kept from the programs it starts (the
// user's job inherits its environment through sbatch). Below what it needs
// even then, it says which limit and what to ask for, instead of aborting
// somewhere later with no message.
import fs from 'node:fs';
import { SlurmhopError } from './errors.js';

/** Measured: `remote proxy` peaks near 180 MiB with one arena; the rest is room for the heap (README "Login-node limits"). */
export const MIN_ADDRESS_SPACE_MIB = 384;
const MARK = 'SLURMHOP_ONE_ARENA';
const FITTED = Symbol.for('slurmhop.address-space-fitted');

/** The soft RLIMIT_AS in bytes, undefined when unlimited or unknown (from /proc/self/limits). */
export function addressSpaceLimit(limits: string | undefined = readLimits()): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith('Max address space'));
  const soft = line?.slice('Max address space'.length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

function readLimits(): string | undefined {
  try {
    return fs.readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined; // not Linux: no cap we could see
  }
}

export type Restart = (env: NodeJS.ProcessEnv) => never;

/**
 * Called first thing: returns to go on as is, restarts with one malloc arena
 * under a cap (never returns then), throws a `limits` error below the minimum.
 */
export function fitAddressSpace(env: NodeJS.ProcessEnv, restart: Restart | undefined, limit = addressSpaceLimit()): void {
  // Once a process: the launcher's first script and a release bundle it runs both start here.
  const g = globalThis as { [FITTED]?: boolean };
  if (g[FITTED]) return;
  g[FITTED] = true;
  const restarted = env[MARK] === '1';
  if (restarted) {
    // The setting was ours: no child of ours gets it.
    delete env[MARK];
    delete env.MALLOC_ARENA_MAX;
  }
  if (limit === undefined) return;
  const mib = Math.floor(limit / 1_048_576);
  if (mib < MIN_ADDRESS_SPACE_MIB) {
    throw new SlurmhopError(
      'limits',
      `this login node limits the address space of your session to ${mib} MiB (ulimit -v ${Math.floor(limit / 1024)}); remote needs at least ${MIN_ADDRESS_SPACE_MIB} MiB`,
      `ask your site's admins to raise it for ssh sessions to at least ${MIN_ADDRESS_SPACE_MIB * 1024} KiB (it may be set in /etc/security/limits.conf or a profile script), or raise your soft limit up to the hard one with "ulimit -S -v"`,
    );
  }
  if (restarted || env.MALLOC_ARENA_MAX !== undefined || !restart) return;
  restart({ ...env, MALLOC_ARENA_MAX: '1', [MARK]: '1' });
}
