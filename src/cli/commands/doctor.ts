import { SlurmhopError, usageError } from '../../errors.js';
import { defaultDoctorDeps, formatResult, runDoctor, summaryLine, type DoctorDeps } from '../../doctor/index.js';
import { defineCommand, type Command } from '../../command.js';
import { print } from '../../output.js';

export function doctorCommandWith(deps: () => DoctorDeps): Command {
  return defineCommand({
    name: 'doctor',
    summary: 'check this setup (state directory, home quota, config, keys, Slurm, a test submission, updates): the fix for each failure',
    usage: 'remote doctor [--profile NAME]',
    options: { profile: { type: 'string' } },
    async run({ positionals, values }) {
      if (positionals.length) throw usageError('remote doctor takes no arguments', 'usage: remote doctor [--profile NAME]');
      // Each line as soon as its check ends: the Slurm checks may take a while.
      const results = await runDoctor(deps(), { profile: values.profile }, (r) => print(formatResult(r).join('\n')));
      const summary = summaryLine(results);
      if (results.some((r) => r.status === 'fail')) throw new SlurmhopError('doctor-failed', summary);
      print(summary);
    },
  });
}

export const doctorCommand = doctorCommandWith(() => defaultDoctorDeps());
