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
import { bashWord, slot } from './bash-text.js';
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

/** What is said below the minimum (`mib`, `kib`: the limit, as numbers or as shell expansions). */
export const tooLowMessage = (mib: string, kib: string) =>
  `this login node limits the address space of your session to ${mib} MiB (ulimit -v ${kib}); remote needs at least ${MIN_ADDRESS_SPACE_MIB} MiB`;
export const TOO_LOW_HINT = `ask your site's admins to raise it for ssh sessions to at least ${MIN_ADDRESS_SPACE_MIB * 1024} KiB (it may be set in /etc/security/limits.conf or a profile script), or raise your soft limit up to the hard one with "ulimit -S -v"`;

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
  if (mib < MIN_ADDRESS_SPACE_MIB) throw new SlurmhopError('limits', tooLowMessage(String(mib), String(Math.floor(limit / 1024))), TOO_LOW_HINT);
  if (restarted || env.MALLOC_ARENA_MAX !== undefined || !restart) return;
  restart({ ...env, MALLOC_ARENA_MAX: '1', [MARK]: '1' });
}

/** The exit code of a limit too low to start (cli/exit-codes.ts EXIT.limits; a test keeps them equal). */
export const LIMITS_EXIT = 13;

/**
 * The same decision in bash, for the scripts that start the executable (the
 * front of `remote`, the relay's session-ended): `slurmhop_fit` reads the soft
 * limit where the program does (/proc/self/limits), says which limit is too
 * low and returns LIMITS_EXIT; under a cap it exports the one-arena setting
 * as a restart would, so the program need not start twice.
 */
export function fitAddressSpaceBash(): string {
  const message = bashWord(`slurmhop: ${tooLowMessage(slot('mib'), slot('kib'))}\n  ${TOO_LOW_HINT}\n`);
  return `slurmhop_fit() {
  local line soft= mib kib
  if [ -r /proc/self/limits ]; then
    while IFS= read -r line; do
      case $line in 'Max address space'*) line=\${line#Max address space}; line=\${line#"\${line%%[! ]*}"}; soft=\${line%% *}; break ;; esac
    done </proc/self/limits
  fi
  case $soft in '' | *[!0-9]*) return 0 ;; esac
  mib=$((soft / 1048576)) kib=$((soft / 1024))
  if [ "$mib" -lt ${MIN_ADDRESS_SPACE_MIB} ]; then printf %s ${message} >&2; return ${LIMITS_EXIT}; fi
  if [ -z "\${MALLOC_ARENA_MAX+set}" ]; then export MALLOC_ARENA_MAX=1 ${MARK}=1; fi
}`;
}
