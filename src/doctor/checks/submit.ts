// A test submission: `sbatch --test-only` with the profile's real options and
// job script. Slurm validates them (partition, account, limits, gres) and
// estimates a start, without queuing anything.
import { getProfile, type Config } from '../../config/index.js';
import { SlurmhopError } from '../../errors.js';
import { jobName, jobOutputPattern } from '../../paths.js';
import { renderJobScript, sbatchArgs } from '../../templates/index.js';
import type { DoctorDeps } from '../deps.js';
import { fail, ok, warn, type CheckResult } from '../result.js';

const NAME = 'test submission';

/** The profile doctor tests unless told: cpu, else the first one defined. */
export function defaultProfileName(config: Config): string | undefined {
  return config.profiles.has('cpu') ? 'cpu' : config.profiles.keys().next().value;
}

export async function checkSubmission(deps: DoctorDeps, config: Config | undefined, slurmReachable: boolean, profileName?: string): Promise<CheckResult> {
  if (!config) return warn(NAME, 'not run: config.ini does not load (see above)');
  if (!slurmReachable) return warn(NAME, 'not run: Slurm does not answer (see above)');
  const name = profileName ?? defaultProfileName(config);
  if (!name) return warn(NAME, `not run: ${config.file} defines no profile`, `add a [profile.NAME] section to ${config.file}`);
  let profile;
  try {
    profile = getProfile(config, name);
  } catch (err) {
    if (!(err instanceof SlurmhopError)) throw err;
    return fail(NAME, err.message, err.hint ?? `add [profile.${name}] to ${config.file}`);
  }
  const args = [...sbatchArgs(profile, { jobName: jobName(name), output: jobOutputPattern(deps.stateDir), workdir: deps.home }), '--test-only'];
  const script = renderJobScript({ profile, user: deps.user, remote: deps.remoteCommand });
  let result;
  try {
    result = await deps.run('sbatch', args, { input: script });
  } catch (err) {
    if (!(err instanceof SlurmhopError)) throw err;
    return fail(NAME, `profile ${name}: ${err.message}`, err.hint ?? 'see the Slurm check above');
  }
  const said = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.replace(/^sbatch:\s*/, '').trim()).filter(Boolean).join('; ');
  const command = [`sbatch ${args.join(' ')}`];
  if (result.exitCode !== 0) {
    const where = config.exists ? `[profile.${name}] in ${config.file}` : `a [profile.${name}] section in ${config.file} (the built-in one does not fit this cluster)`;
    return fail(NAME, `profile ${name}: sbatch refused it: ${said || `exit code ${result.exitCode}`}`, `fix ${where} (partition, account, qos, time, gres, sbatch_args); "sinfo -s" lists the partitions`, command);
  }
  // Slurm answers "Job 7 to start at ..." with a job number it never queued: said as what it is.
  const estimate = said.replace(/^Job \d+ to start at /, 'would start at ');
  return ok(NAME, `profile ${name}, sbatch --test-only (no job is queued): ${estimate || 'accepted'}`, command);
}
