import path from 'node:path';
import { SlurmhopError, usageError } from '../../errors.js';
import { applyCleanup, defaultDoctorDeps, formatBytes, files, planCleanup, type DoctorDeps, type Removal } from '../../doctor/index.js';
import { defineCommand, type Command } from '../../command.js';
import { acquireLock, pruneLock } from '../../state/index.js';
import { formatTable, print } from '../../output.js';

export function cleanupCommandWith(deps: () => DoctorDeps): Command {
  return defineCommand({
    name: 'cleanup',
    summary: 'free room in your home: old VS Code server versions (the newest two stay) and ended jobs\' files (--dry-run: only show them)',
    usage: 'remote cleanup [--dry-run]',
    options: { 'dry-run': { type: 'boolean' } },
    async run({ positionals, values }) {
      if (positionals.length) throw usageError('remote cleanup takes no arguments', 'usage: remote cleanup [--dry-run]');
      const d = deps();
      const dryRun = values['dry-run'] === true;
      // Planned and applied under the prune lock: a job's daily pruning, or a cleanup on another login node, waits.
      const release = dryRun ? undefined : await acquireLock(pruneLock(d.stateDir));
      let plan: Awaited<ReturnType<typeof planCleanup>>;
      let outcome: ReturnType<typeof applyCleanup>;
      try {
        plan = await planCleanup(d);
        outcome = dryRun ? { removed: plan.remove, kept: plan.kept, failed: [] } : applyCleanup(d, plan);
      } finally {
        release?.();
      }
      const { removed, kept, failed } = outcome;
      const verb = dryRun ? 'would remove' : 'removed';
      if (removed.length) print(formatTable(removed.map((r) => [verb, formatBytes(r.usage.bytes), files(r.usage.files), describe(r, d.home, d.stateDir)])));
      for (const k of kept) print(`kept ${k.what}: ${k.why}`);
      const total = removed.reduce((sum, r) => ({ bytes: sum.bytes + r.usage.bytes, files: sum.files + r.usage.files }), { bytes: 0, files: 0 });
      print(removed.length ? `${verb} ${removed.length} item${removed.length === 1 ? '' : 's'}: ${formatBytes(total.bytes)} in ${files(total.files)}` : `nothing to remove`);
      if (failed.length) {
        for (const f of failed) process.stderr.write(`slurmhop: could not remove ${describe(f.removal, d.home, d.stateDir)}: ${f.error}\n`);
        throw new SlurmhopError('state', `${failed.length} of ${plan.remove.length} items could not be removed`, 'check their owner and permissions (ls -ld), then run "remote cleanup" again');
      }
    },
  });
}

/** A version's path from ~; a job's files from the state directory. */
function describe(r: Removal, home: string, state: string): string {
  if (r.kind === 'vscode') return tilde(r.path, home);
  const how = r.ended ? `ended: ${r.ended}` : 'no longer in the queue';
  return `job ${r.jobId} (${[r.profile, how].filter(Boolean).join(', ')}): ${r.paths.map((p) => path.relative(state, p)).join(', ')}`;
}

function tilde(p: string, home: string): string {
  return p === home || p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
}

export const cleanupCommand = cleanupCommandWith(() => defaultDoctorDeps());
